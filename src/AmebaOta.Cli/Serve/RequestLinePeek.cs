using System.Buffers;
using System.Text;
using AmebaOta.Protocol.Http;
using Microsoft.AspNetCore.Connections;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// Looks at a connection's first request line without consuming it, so that a server with a fault can answer some
/// requests raw (bytes no framework would write) and hand the others on to Kestrel's HTTP, which then reads them whole.
/// </summary>
public static class RequestLinePeek
{
    /// <summary>
    /// The first line (up to its end, or the first <see cref="HttpRequestHead.MaxHeadBytes"/> bytes), as ASCII text; null
    /// when the client sent nothing before it closed, the timeout or <paramref name="stopping"/>.
    /// </summary>
    public static async Task<string?> ReadAsync(ConnectionContext connection, TimeSpan timeout, CancellationToken stopping)
    {
        var input = connection.Transport.Input;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping, connection.ConnectionClosed);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (buffer.PositionOf((byte)'\n') is not null || buffer.Length > HttpRequestHead.MaxHeadBytes || result.IsCompleted)
                {
                    var line = buffer.PositionOf((byte)'\n') is { } end ? buffer.Slice(0, end) : buffer.Slice(0, Math.Min(buffer.Length, HttpRequestHead.MaxHeadBytes));
                    string text = Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                    input.AdvanceTo(buffer.Start);   // nothing consumed or examined: the next reader sees it all again
                    return buffer.IsEmpty && result.IsCompleted ? null : text;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
