using System.CommandLine;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Protocol.OtaUi.Updates;

namespace AmebaOta.Cli.Commands.OtaUi;

/// <summary>What <c>upload</c> needs to update one board by the OTA UI method.</summary>
public sealed record OtaUiUploadRequest(FileInfo File, string? Ip, string? Device, bool Force, bool Json, OtaUiOptions OtaUi, Option<double?> WaitReboot, Option<string?> Db);

/// <summary>
/// <c>upload</c> of an image that goes by the OTA UI method (an AmebaPro2 <c>ota.bin</c>; an AmebaD image with
/// <c>--ota-ui</c>): for the run, this command is the server the board beats to; it checks the image against what the
/// history says the board runs, sends <c>start_ota</c>, serves the image to that board only, and follows its heartbeats
/// to the end. Exit codes as <c>upload</c>'s: 0 updated, 4 never started (no heartbeat, busy, stuck, trigger not
/// delivered), 5 failed (the board needs a reset when it says so), 7 took the image and never came back, 2 refused.
/// </summary>
public static class OtaUiUpload
{
    public static async Task<int> RunAsync(ParseResult parse, OtaUiUploadRequest request, CancellationToken cancellationToken)
    {
        if (request.Device is not null)
            throw new CliError(ExitCodes.Usage, "--device finds boards by mDNS, which OTA UI boards do not use: give the board's address with --ip");
        var ip = request.Ip is { } given ? AddressParsing.Parse(given, "--ip", allowNames: false)
            : throw new CliError(ExitCodes.Usage, "give the board's address with --ip (OTA UI boards are known by the address they beat from)");
        var named = OtaUiSession.LoadImages([request.File], request.Force, out var warnings);
        using var history = HistoryDatabase.OpenForRecording(parse, request.Db);
        // One board: no airtime budget (the board reads at its own pace), as a push upload has none.
        var options = new FleetOptions { MaxParallel = 1, MaxBytesPerSecond = null, Retries = 0, WaitReboot = WaitRebootOption.Read(parse, request.WaitReboot, () => new OtaUiJudgeSettings().RebootWait) };
        await using var plan = await OtaUiFleetPlan.StartAsync(named, request.OtaUi.ListenEndPoint(parse, named.Select(n => n.Image)), options, history, warnings,
            cancellationToken);
        foreach (var w in warnings) Diagnostics.Warning(Printable.Of(w));
        var found = await plan.FindTargetsAsync([ip], null, TimeSpan.Zero, history, request.Force, cancellationToken);
        if (found.Refused.Count > 0) throw new CliError(ExitCodes.BadInput, $"refusing to trigger {found.Refused[0].Reason}; nothing was sent");

        var target = found.Targets[0];
        var image = named[0];
        var sender = plan.Sender(options, quiet: true);
        OtaUiOutcome? outcome = null;
        sender.BoardJudged += (_, o) => outcome = o;
        sender.BoardChanged += new FleetHistoryRecorder(history, plan.Identities, "upload", cancellationToken).OnBoardChanged;
        if (!request.Json)
        {
            Console.WriteLine(Printable.Of($"updating {ip} with {image.Name} ({image.Image.Family.Id}, {image.Image.Length} bytes) by OTA UI: " +
                $"this command is its server on {plan.Session.Http.EndPoint} until it has decided"));
            var shown = FleetBoardState.Queued;
            sender.BoardChanged += s =>
            {
                if (s.State == shown || s.IsFinal) return;
                shown = s.State;
                Console.WriteLine(s.State switch
                {
                    FleetBoardState.Connecting => $"{ip}: waiting for its heartbeat, then start_ota",
                    FleetBoardState.Sending => $"{ip}: downloading {s.Length} bytes",
                    FleetBoardState.WaitingForReboot => $"{ip}: took every byte; waiting for it to restart and beat again",
                    _ => $"{ip}: {FleetText.StateName(s.State)}",
                });
            };
        }
        var result = await sender.UpdateAsync([target], plan.Images, cancellationToken);
        if (cancellationToken.IsCancellationRequested) throw new CliError(ExitCodes.Cancelled, "interrupted: a download under way was cut (the board keeps its old firmware)");
        var final = result.Boards[0];
        if (request.Json)
        {
            JsonOut.Write(FleetBoardJson.From(final) with { Family = image.Image.Family.Id }, FleetJsonContext.Default.FleetBoardJson);
        }
        else if (outcome is not null)
        {
            Console.WriteLine(Printable.Of(outcome.Result == OtaUiResult.Updated
                ? $"updated: {outcome.Reason}\n{plan.Session.BuildLine(target, image.Image)}"
                : $"{outcome.Word}: {OtaUiFleetSender.Explain(outcome, image.Image)}"));
            if (outcome.Result != OtaUiResult.Updated) Console.WriteLine(Printable.Of($"seen: {string.Join("; ", outcome.Evidence)}"));
        }
        return outcome?.Result switch
        {
            OtaUiResult.Updated => ExitCodes.Ok,
            OtaUiResult.NotStarted => ExitCodes.CannotConnect,
            OtaUiResult.NotBack => ExitCodes.NoReboot,
            _ => ExitCodes.TransferFailed,
        };
    }
}
