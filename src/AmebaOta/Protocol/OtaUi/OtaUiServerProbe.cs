using System.Net.Sockets;
using System.Text;
using AmebaOta.Families;
using AmebaOta.Protocol.Http;

namespace AmebaOta.Protocol.OtaUi;

/// <summary>What an OTA UI server answered a board's download request, and how the board's SDK would take it.</summary>
/// <param name="Verdict">The SDK's reading of the head (<see cref="SdkHttpHeadRules.Check"/>).</param>
/// <param name="StatusLine">The first line of the answer, as sent.</param>
/// <param name="LengthName">The name of the length header exactly as spelt (<c>content-length</c>, <c>Content-Length</c>), or null when there was none.</param>
/// <param name="LengthLine">That header's whole line as sent (<c>content-length: 1187840</c>), or null when there was none.</param>
public sealed record OtaUiProbeResult(SdkHeadVerdict Verdict, string StatusLine, string? LengthName, string? LengthLine = null);

/// <summary>
/// Asks an OTA UI server for its image as a board would (<see cref="OtaUiDownload.Request"/>: the exact bytes of the SDK's
/// <c>GET /api/uploadfile</c>), reads the head only, and judges it by the family's SDK rules (docs/reference section 12.4):
/// how <c>image info --server</c> tells that an AmebaD board cannot take an image from Realtek's own server, which sends
/// <c>content-length</c> in lower case.
/// </summary>
public static class OtaUiServerProbe
{
    /// <summary>Most head bytes read (the larger SDK buffer, AmebaPro2's 4 KiB).</summary>
    public const int MaxHeadBytes = 4096;

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> and asks for the image. A server that cannot be reached
    /// throws <see cref="SocketException"/>; one that sends no whole head within <paramref name="timeout"/>,
    /// <see cref="TimeoutException"/>.
    /// </summary>
    public static async Task<OtaUiProbeResult> ProbeAsync(string host, int port, SdkHttpHeadRules rules, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient();
        var head = new MemoryStream();
        try
        {
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(OtaUiDownload.Request(host), deadline.Token).ConfigureAwait(false);
            var buffer = new byte[MaxHeadBytes];
            while (head.Length < MaxHeadBytes && !HasHeadEnd(head))
            {
                int read = await stream.ReadAsync(buffer.AsMemory(0, MaxHeadBytes - (int)head.Length), deadline.Token).ConfigureAwait(false);
                if (read == 0) break;
                head.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(head.Length == 0 && !client.Connected
                ? $"no connection within {timeout.TotalSeconds:0.#} s"
                : $"no whole response head within {timeout.TotalSeconds:0.#} s ({head.Length} bytes received)");
        }
        var bytes = head.ToArray();
        var text = Encoding.Latin1.GetString(bytes);
        var lines = text.Split("\r\n");
        string? lengthLine = lines.Skip(1).TakeWhile(l => l.Length > 0)
            .FirstOrDefault(l => l.Split(':', 2)[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase));
        return new OtaUiProbeResult(rules.Check(bytes), lines[0], lengthLine?.Split(':', 2)[0].Trim(), lengthLine);
    }

    private static bool HasHeadEnd(MemoryStream head) => head.Length >= 4 && head.GetBuffer().AsSpan(0, (int)head.Length).IndexOf("\r\n\r\n"u8) >= 0;

    /// <summary>True when the server sends a length the SDK would read in another spelling but not in the one it sent.</summary>
    public static bool SpellingRefused(OtaUiProbeResult result, SdkHttpHeadRules rules) =>
        !result.Verdict.Accepted && result.Verdict.Status == 200 && result.LengthName is { } name && !rules.ContentLengthNames.Contains(name);

    /// <summary>
    /// One sentence for a server whose answer <paramref name="family"/>'s boards would refuse (null when they would take it):
    /// for the length's spelling, what a board does and what to use instead.
    /// </summary>
    public static string? Refusal(OtaUiProbeResult result, BoardFamily family, SdkHttpHeadRules rules)
    {
        if (result.Verdict.Accepted) return null;
        if (!SpellingRefused(result, rules)) return $"{family.DisplayName} boards would not download from this server: {result.Verdict.Reason}";
        string name = result.LengthName!;
        bool lower = name == name.ToLowerInvariant();
        return $"{family.DisplayName} boards cannot take an image from this server: it sends the length as '{Printable(name)}'" +
               (lower ? " (lower case, as Realtek's own ameba-OTA-UI server does)" : "") +
               $", and {rules.Sdk} reads only {string.Join(" or ", rules.ContentLengthNames.Select(n => $"'{n}'"))}: the board prints " +
               "\"No Content-Length in header\", reports COMPLETED, keeps its old firmware and ignores triggers until it is reset; serve the image with " +
               "'ameba-ota serve --ota-ui' (or upload it with 'ameba-ota upload --ota-ui'), which sends Content-Length";
    }

    private static string Printable(string text) => HttpText.Printable(text);
}
