using System.Net.Sockets;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Protocol.OtaUi;

namespace AmebaOta.Cli.Commands.OtaUi;

/// <summary>
/// <c>image info IMAGE --server URL</c>: asks an OTA UI server for its image as a board of the image's family would and
/// says whether that board would download it. An AmebaD image against a server that sends <c>content-length</c> in lower
/// case (Realtek's own) is refused in one line, exit 2: the AmebaD SDK does not read that spelling (docs/reference 12.4).
/// Exit 4 when the server cannot be reached, 5 when it sends no whole head in time.
/// </summary>
public static class OtaUiServerCheck
{
    /// <summary>How long the server has to connect and answer with a whole head.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string server, FileInfo file, bool json, CancellationToken cancellationToken)
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
            throw new CliError(ExitCodes.CannotConnect, $"cannot reach the OTA UI server {where}: {e.Message}");
        }
        catch (TimeoutException e)
        {
            throw new CliError(e.Message.StartsWith("no connection", StringComparison.Ordinal) ? ExitCodes.CannotConnect : ExitCodes.TransferFailed,
                $"the OTA UI server {where}: {e.Message}");
        }
        catch (IOException e)
        {
            throw new CliError(ExitCodes.TransferFailed, $"the OTA UI server {where} closed the connection before its answer: {e.GetBaseException().Message}");
        }
        if (OtaUiServerProbe.Refusal(result, family, rules) is { } refusal) throw new CliError(ExitCodes.BadInput, Printable.Of($"{where}: {refusal}"));
        if (result.Verdict.ContentLength is { } length && length != image.Length)
            Diagnostics.Warning($"{where} serves {length} bytes, and {file.Name} is {image.Length}: it serves another image");
        if (!json)
            Console.WriteLine(Printable.Of($"server {where}: GET {OtaUiDownload.Path} answers '{result.StatusLine}' with {result.LengthName}: " +
                $"{result.Verdict.ContentLength}; {family.DisplayName} boards would download it ({rules.Sdk})"));
        return ExitCodes.Ok;
    }

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
