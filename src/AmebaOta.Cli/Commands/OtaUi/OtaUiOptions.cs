using System.CommandLine;
using System.Net;
using AmebaOta.Cli.Serve;
using AmebaOta.Cli.Serve.OtaUi;
using AmebaOta.Families;
using AmebaOta.Protocol.OtaUi.Server;

namespace AmebaOta.Cli.Commands.OtaUi;

/// <summary>
/// The options that make <c>upload</c>, <c>fleet upload</c> and <c>fleet rollout</c> update boards by the OTA UI method
/// (AmebaD <c>OTA_Http</c>, AmebaPro2 <c>OTA</c>): the command becomes, for its run, the server the boards beat to and
/// download from, and triggers them. An AmebaPro2 image is always sent so (those boards take nothing else); an AmebaD
/// image only with <c>--ota-ui</c> (its default is the push of <c>OTA_Basic</c>).
/// </summary>
public sealed class OtaUiOptions
{
    public Option<bool> OtaUi { get; } = new("--ota-ui")
    {
        Description = "Update by the OTA UI method: be the server the boards' sketch beats to, send them start_ota, serve the image, follow their " +
                      "heartbeats (always so for AmebaPro2; AmebaD OTA_Http boards need it)",
    };

    public Option<string?> Listen { get; } = new("--listen")
    {
        Description = "With the OTA UI method: where the boards' sketch sends its heartbeats, ADDRESS[:PORT] of this machine (default: the server a test " +
                      "image's sketch names, else 127.0.0.1:3000; real boards need this machine's address on their network)",
        HelpName = "ADDRESS[:PORT]",
    };

    public IEnumerable<Option> All => [OtaUi, Listen];

    /// <summary>True when the run updates by OTA UI: asked for, or every image is of a family that takes no push but OTA UI.</summary>
    public bool Chosen(ParseResult parse, IEnumerable<IFirmwareImage> images)
    {
        var list = images.ToList();
        if (parse.GetValue(OtaUi))
        {
            if (list.FirstOrDefault(i => !i.Family.UpdatesByOtaUi) is { } other)
                throw new CliError(ExitCodes.BadInput, $"--ota-ui: {other.Family.DisplayName} boards do not update by the OTA UI method");
            return true;
        }
        bool otaUiOnly = list.Count > 0 && list.All(i => i.Family.Push is null && i.Family.UpdatesByOtaUi);
        if (!otaUiOnly && parse.GetResult(Listen) is { Implicit: false }) throw new CliError(ExitCodes.Usage, "--listen is for the OTA UI method (--ota-ui)");
        return otaUiOnly;
    }

    /// <summary>
    /// Where to listen: <c>--listen</c>, else the server the (first) image's sketch names when it is an address of this
    /// machine's kind (a test image), else 127.0.0.1 on the stock port 3000.
    /// </summary>
    public IPEndPoint ListenEndPoint(ParseResult parse, IEnumerable<OtaUiImage> images)
    {
        if (parse.GetValue(Listen) is { } given) return AddressParsing.ParseEndPoint(given, "--listen", OtaUiServeOptions.DefaultPort);
        foreach (var image in images)
            if (image.Image.Sketch?.Server is { } server && IPEndPoint.TryParse(server, out var named) && named.Port != 0) return named;
        return new IPEndPoint(IPAddress.Loopback, OtaUiServeOptions.DefaultPort);
    }
}
