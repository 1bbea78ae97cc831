using System.Globalization;

namespace AmebaOta;

/// <summary>Parses numbers the way people write addresses: decimal or 0x-prefixed hex.</summary>
public static class NumberParsing
{
    /// <summary>Parses a decimal or <c>0x</c> hexadecimal unsigned number.</summary>
    public static bool TryParseUInt(string text, out uint value)
    {
        string t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
