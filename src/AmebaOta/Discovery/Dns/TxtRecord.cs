using System.Text;

namespace AmebaOta.Discovery.Dns;

/// <summary>
/// TXT: character strings as opaque bytes (RFC 6763 §6: <c>key=value</c>, the value may be any bytes, not necessarily UTF-8).
/// An empty TXT record is one empty string on the wire.
/// </summary>
internal sealed record TxtRecord(DnsName Name, uint Ttl, IReadOnlyList<byte[]> Strings, bool CacheFlush = true, DnsClass Class = DnsClass.In)
    : DnsRecord(Name, Ttl, CacheFlush, Class)
{
    public const int MaxStringLength = 255;

    public override DnsRecordType Type => DnsRecordType.Txt;

    /// <summary>A TXT record of <c>key=value</c> strings, UTF-8 encoded.</summary>
    public static TxtRecord FromPairs(DnsName name, uint ttl, IEnumerable<KeyValuePair<string, string>> pairs, bool cacheFlush = true) =>
        new(name, ttl, pairs.Select(p => Encoding.UTF8.GetBytes($"{p.Key}={p.Value}")).ToArray(), cacheFlush);

    /// <summary>The strings as key/value pairs (RFC 6763 §6.3–6.4): key up to the first '=', a string without '=' is a key with no value; values decoded as UTF-8.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Pairs() =>
        Strings.Where(s => s.Length > 0).Select(s =>
        {
            int eq = Array.IndexOf(s, (byte)'=');
            return eq < 0
                ? new KeyValuePair<string, string?>(Encoding.ASCII.GetString(s), null)
                : new KeyValuePair<string, string?>(Encoding.ASCII.GetString(s, 0, eq), Encoding.UTF8.GetString(s, eq + 1, s.Length - eq - 1));
        }).ToArray();

    /// <summary>The value of the first string whose key is <paramref name="key"/> (case-insensitive, RFC 6763 §6.4).</summary>
    public string? Get(string key) =>
        Pairs().FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    public override bool SameData(DnsRecord other) =>
        other is TxtRecord t && t.Strings.Count == Strings.Count && Strings.Zip(t.Strings).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    public bool Equals(TxtRecord? other) =>
        other is not null && Name == other.Name && Ttl == other.Ttl && CacheFlush == other.CacheFlush && Class == other.Class && SameData(other);

    public override int GetHashCode() => HashCode.Combine(Name, Ttl, CacheFlush, Class, Strings.Count);

    protected override string DataText() => string.Join(" ", Strings.Select(s => $"\"{Encoding.UTF8.GetString(s)}\""));
}
