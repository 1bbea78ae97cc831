using System.Text;

namespace AmebaOta.Boards;

/// <summary>
/// The board's UART as C code writes to it (<c>printf</c>, <c>Serial.print</c>, <c>Serial.println</c>): text with its own
/// <c>\n</c> and <c>\r</c>, turned into whole lines for a line-based console. A line ends at <c>\n</c>; <c>\r</c> is dropped
/// (the SDK's <c>"\n\r[...]"</c> prefix ends the previous line and returns the carriage, which shows as nothing). Text
/// after the last <c>\n</c> waits for the next print, exactly as a terminal shows it: <c>printf(".")</c> progress dots
/// grow one line. <see cref="Flush"/> pushes out a pending partial line (the board resets, or the log ends).
/// </summary>
public sealed class SerialPrinter(Action<string> line)
{
    private readonly StringBuilder _pending = new();
    private readonly Lock _gate = new();

    /// <summary>Longest pending line kept; beyond it the line is pushed out (a terminal would wrap it).</summary>
    public const int MaxLine = 4096;

    /// <summary><c>printf</c>/<c>Serial.print</c>: the text as is.</summary>
    public void Print(string text)
    {
        List<string>? done = null;
        lock (_gate)
        {
            foreach (char c in text)
            {
                if (c == '\r') continue;
                if (c == '\n' || _pending.Length >= MaxLine)
                {
                    (done ??= []).Add(_pending.ToString());
                    _pending.Clear();
                    if (c == '\n') continue;
                }
                _pending.Append(c);
            }
        }
        if (done is null) return;
        foreach (var l in done) line(l);
    }

    /// <summary><c>Serial.println</c>: the text, then <c>\r\n</c>.</summary>
    public void PrintLine(string text = "") => Print(text + "\r\n");

    /// <summary>True when a partial line is waiting for its end.</summary>
    public bool HasPending
    {
        get { lock (_gate) return _pending.Length > 0; }
    }

    /// <summary>Pushes out the pending partial line, if any (the board resets with the cursor mid-line).</summary>
    public void Flush()
    {
        string? pending = null;
        lock (_gate)
        {
            if (_pending.Length > 0)
            {
                pending = _pending.ToString();
                _pending.Clear();
            }
        }
        if (pending is not null) line(pending);
    }
}
