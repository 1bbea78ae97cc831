using System.Text;

namespace AmebaOta.Device.Control;

/// <summary>Reads command lines with a length limit, so a client that never sends a newline cannot grow memory without bound.</summary>
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
            if (c == '\n') return (line.ToString(), tooLong);
            if (c == '\r') continue;
            if (line.Length < maxLength) line.Append(c);
            else tooLong = true;
        }
    }
}
