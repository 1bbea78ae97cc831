using System.Text;

namespace AmebaOta.Device.Control;

/// <summary>
/// Reads command lines with a length limit, so a client that never sends a newline cannot grow memory without bound. A
/// line ends at LF, CR or CRLF: a terminal in raw mode sends CR for Enter, and some clients end lines with CRLF (the LF
/// after a CR then reads as an empty line, which commands ignore).
/// </summary>
public static class ControlLineReader
{
    /// <summary>The next line (without its ending), or null at the end of the input. A longer line is consumed to its end and reported as too long.</summary>
    public static async Task<(string? Line, bool TooLong)> ReadLineAsync(TextReader reader, int maxLength, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        bool tooLong = false;
        var one = new char[1];
        while (true)
        {
            int n = await reader.ReadAsync(one.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (n == 0) return line.Length == 0 && !tooLong ? (null, false) : (line.ToString(), tooLong);
            char c = one[0];
            if (c is '\n' or '\r') return (line.ToString(), tooLong);
            if (line.Length < maxLength) line.Append(c);
            else tooLong = true;
        }
    }
}
