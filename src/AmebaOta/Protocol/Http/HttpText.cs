using System.Text;

namespace AmebaOta.Protocol.Http;

/// <summary>Small helpers for reading HTTP/1.x heads tolerantly (servers reading what boards send).</summary>
public static class HttpText
{
    /// <summary>
    /// Finds the empty line that ends a head: <c>\r\n\r\n</c>, or a bare <c>\n\n</c>. <paramref name="headLength"/> is the
    /// head without its final line break, <paramref name="bodyStart"/> the first byte after the empty line.
    /// </summary>
    public static bool TryFindHeadEnd(ReadOnlySpan<byte> bytes, out int headLength, out int bodyStart)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != '\n') continue;
            int next = i + 1;
            if (next < bytes.Length && bytes[next] == '\r') next++;
            if (next < bytes.Length && bytes[next] == '\n')
            {
                headLength = i > 0 && bytes[i - 1] == '\r' ? i - 1 : i;
                bodyStart = next + 1;
                return true;
            }
        }
        headLength = bodyStart = 0;
        return false;
    }

    /// <summary>The lines of a head (Latin-1, so every byte is one character), without their <c>\r</c>.</summary>
    public static string[] Lines(ReadOnlySpan<byte> head) =>
        Encoding.Latin1.GetString(head).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>Text from the network, shortened and with control and non-ASCII characters escaped, for error messages.</summary>
    public static string Printable(string text, int max = 60)
    {
        var sb = new StringBuilder();
        foreach (char c in text.Length > max ? text[..max] : text)
            sb.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\x{(int)c:x2}");
        if (text.Length > max) sb.Append('…');
        return sb.ToString();
    }
}
