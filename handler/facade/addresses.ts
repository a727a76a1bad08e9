/**
 * Which IP addresses the facade may connect to when it fetches a client's metadata document: public unicast only
 * (draft-ietf-oauth-client-id-metadata-document-02 §8.6, SSRF). Anything loopback, private, link-local, unique
 * local, shared (CGNAT), multicast, unspecified, reserved or for documentation is refused, including IPv4 addresses
 * written as IPv6 (IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16).
 * The IPv6 list is every block of IANA's IPv6 Special-Purpose Address Registry whose "Globally Reachable" is False
 * (RFC 8190), or that tunnels to an IPv4 host this check cannot see; anything outside global unicast 2000::/3
 * (RFC 4291 §2.4) is refused as well.
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";

const IPV4_BLOCKED: ReadonlyArray<readonly [string, number]> = [
    ["0.0.0.0", 8], // "this network", unspecified
    ["10.0.0.0", 8], // private (RFC 1918)
    ["100.64.0.0", 10], // shared address space, CGNAT (RFC 6598)
    ["127.0.0.0", 8], // loopback
    ["169.254.0.0", 16], // link-local, including cloud metadata endpoints (169.254.169.254)
    ["172.16.0.0", 12], // private
    ["192.0.0.0", 24], // IETF protocol assignments
    ["192.0.2.0", 24], // documentation
    ["192.88.99.0", 24], // 6to4 relay anycast
    ["192.168.0.0", 16], // private
    ["198.18.0.0", 15], // benchmarking
    ["198.51.100.0", 24], // documentation
    ["203.0.113.0", 24], // documentation
    ["224.0.0.0", 4], // multicast
    ["240.0.0.0", 4], // reserved, and the broadcast address
];

const IPV6_BLOCKED: ReadonlyArray<readonly [string, number]> = [
    ["::", 128], // unspecified
    ["::1", 128], // loopback
    ["::", 96], // IPv4-compatible (deprecated)
    ["64:ff9b:1::", 48], // NAT64 local use (RFC 8215): translates to whatever IPv4 network the operator chooses
    ["100::", 64], // discard-only (RFC 6666)
    ["100:0:0:1::", 64], // dummy IPv6 prefix (RFC 9780)
    ["2001::", 23], // IETF protocol assignments (Teredo and others)
    ["2001:db8::", 32], // documentation
    ["3fff::", 20], // documentation (RFC 9637)
    ["5f00::", 16], // SRv6 SIDs (RFC 9602)
    ["fc00::", 7], // unique local
    ["fe80::", 10], // link-local
    ["fec0::", 10], // site-local (deprecated)
    ["ff00::", 8], // multicast
];

const blocked = new BlockList();
for (const [address, prefix] of IPV4_BLOCKED) {
    blocked.addSubnet(address, prefix, "ipv4");
}
for (const [address, prefix] of IPV6_BLOCKED) {
    blocked.addSubnet(address, prefix, "ipv6");
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail allowed); undefined if it is not one. */
function ipv6Groups(address: string): number[] | undefined {
    if (!isIPv6(address)) {
        return undefined;
    }
    let text = address.split("%")[0].toLowerCase();
    const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
    if (dotted !== null) {
        const [a, b, c, d] = dotted[1].split(".").map(Number);
        text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
    const front = parse(head);
    const back = tail === undefined ? [] : parse(tail);
    return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The IPv4 address an IPv6 one carries (mapped, translated, NAT64 or 6to4), if any. */
function embeddedIpv4(groups: readonly number[]): string | undefined {
    const v4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
    const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
    if (zeros(0, 5) && groups[5] === 0xffff) {
        return v4(groups[6], groups[7]); // ::ffff:a.b.c.d
    }
    if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) {
        return v4(groups[6], groups[7]); // ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765 §2.1)
    }
    if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) {
        return v4(groups[6], groups[7]); // 64:ff9b::a.b.c.d
    }
    if (groups[0] === 0x2002) {
        return v4(groups[1], groups[2]); // 2002:aabb:ccdd::
    }
    return undefined;
}

/** True only for a public unicast address the facade may connect to. */
export function isPublicAddress(address: string): boolean {
    if (isIPv4(address)) {
        return !blocked.check(address, "ipv4");
    }
    const groups = ipv6Groups(address);
    if (groups === undefined) {
        return false;
    }
    const inner = embeddedIpv4(groups);
    if (inner !== undefined) {
        return !blocked.check(inner, "ipv4");
    }
    if (groups[0] < 0x2000 || groups[0] > 0x3fff) {
        return false; // not global unicast 2000::/3 (RFC 4291 §2.4): loopback, ULA, link-local, multicast, reserved
    }
    const canonical = groups.map((g) => g.toString(16)).join(":");
    return !blocked.check(canonical, "ipv6");
}
