using System.Buffers;
using System.Text;

namespace AmebaOta.Protocol.Http;

/// <summary>
/// The request line of an HTTP/1.x request, read straight from a pipe's buffer (no copy until the line is known to be
/// whole). The pull clients send short requests (<c>GET /ota.bin HTTP/1.1</c>, a <c>Host</c>, maybe <c>User-Agent</c> and
/// <c>Connection</c>); the rest of the head is skipped.
/// </summary>
public sealed record HttpRequestHead(string Method, string Target)
{
    /// <summary>Longest head accepted; anything longer is not a pull client.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>
    /// Looks for a whole head in <paramref name="buffer"/>. Returns false while more bytes are needed (then
    /// <paramref name="examined"/> is the end of the buffer); true with the head (or null when it is malformed) and
    /// <paramref name="consumed"/> just past the empty line.
    /// </summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, out HttpRequestHead? head, out SequencePosition consumed, out SequencePosition examined)
    {
        head = null;
        consumed = buffer.Start;
        examined = buffer.End;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headBytes, EndOfHead, advancePastDelimiter: true))
        {
            if (buffer.Length > MaxHeadBytes)
            {
                consumed = buffer.End;
                return true;   // too long: malformed
            }
            return false;
        }
        consumed = reader.Position;
        examined = consumed;
        var lineReader = new SequenceReader<byte>(headBytes);
        if (!lineReader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n')) line = headBytes;
        head = ParseRequestLine(line);
        return true;
    }

    private static HttpRequestHead? ParseRequestLine(ReadOnlySequence<byte> line)
    {
        if (line.Length > MaxHeadBytes) return null;
        string text = Encoding.ASCII.GetString(line).TrimEnd('\r');
        var parts = text.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal)) return null;
        return new HttpRequestHead(parts[0], parts[1]);
    }
}
