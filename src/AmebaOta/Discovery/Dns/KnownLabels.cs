using System.Text;

namespace AmebaOta.Discovery.Dns;

/// <summary>Labels every mDNS packet repeats; decoding returns these cached strings instead of allocating new ones.</summary>
internal static class KnownLabels
{
    private static readonly (byte[] Bytes, string Text)[] Table =
        new[] { "local", "_tcp", "_udp", "_arduino", "_services", "_dns-sd" }.Select(s => (Encoding.ASCII.GetBytes(s), s)).ToArray();

    public static string? Get(ReadOnlySpan<byte> label)
    {
        foreach (var (bytes, text) in Table)
            if (label.SequenceEqual(bytes)) return text;
        return null;
    }
}
