
namespace AmebaOta.Cli;

/// <summary>Parses byte counts people type: 524288, 0x80000, 512K, 512KiB, 1M.</summary>
public static class SizeParsing
{
    public static bool TryParse(string text, out int bytes)
    {
        bytes = 0;
        string t = text.Trim().ToUpperInvariant();
        int multiplier = 1;
        foreach (var (suffix, m) in new[] { ("KIB", 1024), ("MIB", 1 << 20), ("KB", 1024), ("MB", 1 << 20), ("K", 1024), ("M", 1 << 20) })
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) && !t.StartsWith("0X", StringComparison.Ordinal))
            {
                t = t[..^suffix.Length];
                multiplier = m;
                break;
            }
        }
        if (!NumberParsing.TryParseUInt(t, out uint n)) return false;
        long total = (long)n * multiplier;
        if (total > int.MaxValue) return false;
        bytes = (int)total;
        return true;
    }
}
