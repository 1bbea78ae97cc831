using System.Net.Sockets;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Protocol.OtaUi;

namespace AmebaOta.Cli.Commands.OtaUi;

/// <summary>
/// <c>image info IMAGE --server URL</c>: asks an OTA UI server for its image as a board of the image's family would and
/// says whether that board would download it. An AmebaD image against a server that sends <c>content-length</c> in lower
/// case (Realtek's own) is refused in one line, exit 2: the AmebaD SDK does not read that spelling (docs/reference 12.4).
/// Exit 4 when the server cannot be reached, 5 when it sends no whole head in time. With <c>--json</c> the same result is
/// in the image's JSON (<see cref="OtaUiServerCheckJson"/>), and the exit code and the error line stay as they are.
/// </summary>
public static class OtaUiServerCheck
{
    /// <summary>How long the server has to connect and answer with a whole head.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>What the check found: its JSON, the error that ends the command (null when boards would download), a warning, the text line.</summary>
    public sealed record Result(OtaUiServerCheckJson Json, CliError? Error, string? Warning, string? Line)
    {
        /// <summary>Prints the warning (and, without <c>--json</c>, the line), then fails as the check did.</summary>
        public int Finish(bool json)
        {
            if (Warning is not null) Diagnostics.Warning(Warning);
            if (Error is not null) throw Error;
            if (!json && Line is not null) Console.WriteLine(Line);
            return ExitCodes.Ok;
        }
    }

    /// <summary>Asks <paramref name="server"/>; usage errors (a family that does not update by OTA UI, a bad URL) are thrown.</summary>
    public static async Task<Result> CheckAsync(string server, FileInfo file, CancellationToken cancellationToken)
    {
        var image = BoardFamilies.LoadImage(file.FullName);
        var family = image.Family;
        if (family.OtaUiHeadRules is not { } rules)
            throw new CliError(ExitCodes.Usage, $"--server checks an OTA UI server, and {family.DisplayName} boards do not update by the OTA UI method");
        var (host, port) = Parse(server);
        string where = $"{host}:{port}";
        OtaUiProbeResult result;
        try
        {
            result = await OtaUiServerProbe.ProbeAsync(host, port, rules, Timeout, cancellationToken);
        }
        catch (SocketException e)
        {
            return Failed(where, "unreachable", new CliError(ExitCodes.CannotConnect, $"cannot reach the OTA UI server {where}: {e.Message}"));
        }
        catch (TimeoutException e)
        {
            bool connected = !e.Message.StartsWith("no connection", StringComparison.Ordinal);
            return Failed(where, connected ? "no-answer" : "unreachable", new CliError(connected ? ExitCodes.TransferFailed : ExitCodes.CannotConnect,
                $"the OTA UI server {where}: {e.Message}"), connected);
        }
        catch (IOException e)
        {
            return Failed(where, "no-answer", new CliError(ExitCodes.TransferFailed,
                $"the OTA UI server {where} closed the connection before its answer: {e.GetBaseException().Message}"), reachable: true);
        }
        var refusal = OtaUiServerProbe.Refusal(result, family, rules);
        // JSON escapes what a terminal must not see: the head's text goes in as sent.
        var json = new OtaUiServerCheckJson(where, Reachable: true, result.StatusLine, result.Verdict.Status, result.LengthLine, result.Verdict.ContentLength,
            refusal is null ? "accepted" : "refused", BoardsWouldDownload: refusal is null, rules.Sdk, refusal ?? result.Verdict.Reason);
        string? warning = result.Verdict.ContentLength is { } length && length != image.Length
            ? $"{where} serves {length} bytes, and {file.Name} is {image.Length}: it serves another image" : null;
        if (refusal is not null) return new Result(json, new CliError(ExitCodes.BadInput, Printable.Of($"{where}: {refusal}")), warning, null);
        return new Result(json, null, warning, Printable.Of($"server {where}: GET {OtaUiDownload.Path} answers '{result.StatusLine}' with {result.LengthName}: " +
            $"{result.Verdict.ContentLength}; {family.DisplayName} boards would download it ({rules.Sdk})"));
    }

    private static Result Failed(string where, string verdict, CliError error, bool reachable = false) =>
        new(new OtaUiServerCheckJson(where, reachable, null, null, null, null, verdict, BoardsWouldDownload: false, null, error.Message), error, null, null);

    /// <summary><c>http://HOST:PORT</c>, <c>HOST:PORT</c> or <c>HOST</c> (port 3000, the stock server's); boards speak plain HTTP only.</summary>
    public static (string Host, int Port) Parse(string server)
    {
        string text = server.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "http://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new CliError(ExitCodes.Usage, $"--server '{server}' is not a server: give http://HOST:PORT (the server the boards' sketch names)");
        if (uri.Scheme != Uri.UriSchemeHttp)
            throw new CliError(ExitCodes.Usage, $"--server '{server}': boards download over plain HTTP only, give http://HOST:PORT");
        int port = uri.IsDefaultPort && !text.Contains(":" + uri.Port, StringComparison.Ordinal) ? Serve.OtaUi.OtaUiServeOptions.DefaultPort : uri.Port;
        return (uri.IdnHost.Trim('[', ']'), port);
    }
}
