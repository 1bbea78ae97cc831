using System.Globalization;
using System.Text;

namespace AmebaOta.Cli.Output;

/// <summary>
/// Text from outside (a board's mDNS name, host and TXT, a name kept in the history database) made safe for a terminal:
/// control characters (an <c>ESC[31m</c> would recolour the terminal, a newline would forge a line), line and paragraph
/// separators, bidirectional overrides and lone surrogates are written as <c>\x1b</c> / <c>\u202e</c> escapes.
/// </summary>
public static class Printable
{
    /// <summary>Printable, then escaped for Spectre markup (a table cell).</summary>
    public static string Markup(string? text) => Spectre.Console.Markup.Escape(Of(text));

    public static string Of(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        int first = FirstUnsafe(text);
        if (first < 0) return text;
        var safe = new StringBuilder(text.Length + 8).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { safe.Append(c).Append(text[++i]); continue; }
            if (!IsUnsafe(c)) safe.Append(c);
            else if (c < 0x100) safe.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else safe.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return safe.ToString();
    }

    private static int FirstUnsafe(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (IsUnsafe(text[i])) return i;
        }
        return -1;
    }

    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u061c' or '\u200e' or '\u200f'
        || c is >= '\u202a' and <= '\u202e' || c is >= '\u2066' and <= '\u2069';
}
