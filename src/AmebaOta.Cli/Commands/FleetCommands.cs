using System.CommandLine;
using System.Net;
using AmebaOta.Cli.Commands.OtaUi;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota fleet upload</c>: one image to many boards, found by mDNS or given by address.</summary>
public static class FleetCommands
{
    public static Command Build()
    {
        var fleet = new Command("fleet", "Update many boards at once.\nExample: ameba-ota fleet upload v2.bin --match 'MyAmeba-*' --wait-reboot");
        fleet.Add(Upload());
        fleet.Add(FleetRolloutCommand.Build());
        return fleet;
    }

    private static Command Upload()
    {
        var files = new Argument<FileInfo[]>("file")
        {
            Description = "Image to send (Ameba1 ota.bin; AmebaD OTA_All.bin or km0_km4_image2.bin); one per family for a mixed fleet: each board is sent the image of its family",
            Arity = ArgumentArity.OneOrMore,
        };
        var o = new FleetUploadOptions();
        var command = new Command("upload",
            "Send one image to many boards: discovered by mDNS (--match) or given with --ip, several at a time, failed uploads retried,\n" +
            "each board confirmed by its announcement after the reboot with --wait-reboot. One board failing or hanging never holds up the others.\n" +
            "A mixed fleet takes one image per family: each board is sent only the image of its own family (its TXT board=); a board whose\n" +
            "family has no image is refused before anything is sent.\n" +
            "Exit codes: 0 every board updated, 8 some were not (a failed upload, a refused board, or no reboot seen with --wait-reboot), 6 no board matched, 2 image refused, 130 Ctrl+C.\n" +
            "Example: ameba-ota fleet upload v2.bin --match 'MyAmeba-*' --interface eth0 --wait-reboot 30\n" +
            "Example: ameba-ota fleet upload v2.bin --ip 192.168.1.50 --ip 192.168.1.51 --json\n" +
            "Example: ameba-ota fleet upload ota.bin OTA_All.bin --match '*' --wait-reboot    (Ameba1 and AmebaD boards, each its own image)")
        { files };
        o.AddTo(command);

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            bool asJson = parse.GetValue(o.Json);
            var paths = parse.GetValue(files)!;
            await using var otaUi = OtaUiFleetPlan.Applies(parse, o, paths) ? await StartOtaUiAsync(parse, o, paths, cancellationToken) : null;
            List<(string Name, long Length, uint Checksum, BoardFamily Family)> named;
            FleetImages images;
            FleetOptions options;
            IReadOnlyList<ImageIdentity> identities;
            if (otaUi is not null)
            {
                named = [.. otaUi.Named.Select(n => (n.Name, n.Image.Length, n.Image.Checksum, n.Image.Family))];
                (images, options, identities) = (otaUi.Images, otaUi.Options, otaUi.Identities);
            }
            else
            {
                var pushed = o.LoadImages(parse, paths, out var warnings);
                named = [.. pushed.Select(n => (n.Name, (long)n.Image.Length, n.Image.Checksum, n.Image.Family))];
                images = new FleetImages(pushed.Select(n => n.Image));
                options = o.ReadFleetOptions(parse, images, out string? timeoutWarning);
                identities = [.. pushed.Select(n => ImageIdentity.Of(n.Image.Sent, n.Name))];
                if (timeoutWarning is not null) warnings.Add(timeoutWarning);
                foreach (var w in warnings) Diagnostics.Warning(w);
            }

            using var history = HistoryDatabase.OpenForRecording(parse, o.Db);
            var found = otaUi is not null
                ? await otaUi.FindTargetsAsync(parse, o, history, cancellationToken)
                : await o.FindTargetsAsync(parse, options.Interface, history, images, cancellationToken);
            var targets = found.Targets;
            if (!asJson) foreach (var w in found.Warnings) Diagnostics.Warning(w);
            FleetUploadOptions.EnsureDescriptors(targets.Count, options);

            IFleetSender updater = otaUi is not null ? otaUi.Sender(options, quiet: asJson) : new FleetUpdater(options);
            var airtime = updater.Airtime ?? new AirtimeScheduler(FleetUpdater.BudgetOf(options));
            var latest = targets.Select(t => new FleetBoardStatus(t, FleetBoardState.Queued, 0, images.LengthFor(t.Family), 0, TimeSpan.Zero)).ToArray();
            var index = targets.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
            updater.BoardChanged += s => Volatile.Write(ref latest[index[s.Target]], s);
            updater.BoardChanged += new FleetHistoryRecorder(history, identities, "fleet upload", cancellationToken).OnBoardChanged;

            FleetResult result;
            if (asJson)
            {
                result = await updater.UpdateAsync(targets, images, cancellationToken);
                foreach (var b in result.Boards) JsonOut.Write(FleetBoardJson.From(b), FleetJsonContext.Default.FleetBoardJson);
                foreach (var c in found.Conflicts) JsonOut.Write(FleetBoardJson.Conflict(c), FleetJsonContext.Default.FleetBoardJson);
                foreach (var s in found.Silent) JsonOut.Write(FleetBoardJson.Silent(s), FleetJsonContext.Default.FleetBoardJson);
                foreach (var (t, reason) in found.Refused) JsonOut.Write(FleetBoardJson.Refused(t, reason), FleetJsonContext.Default.FleetBoardJson);
                JsonOut.Write(new FleetAirtimeLineJson(AirtimeJson.From(airtime.Snapshot())), FleetJsonContext.Default.FleetAirtimeLineJson);
            }
            else
            {
                string what = named.Count == 1
                    ? $"{named[0].Name} ({named[0].Length} bytes, checksum 0x{named[0].Checksum:x8})"
                    : string.Join(", ", named.Select(n => $"{n.Name} ({n.Family.Id}: {targets.Count(t => (images.For(t.Family)?.Family ?? images.OtaUiFor(t.Family)?.Family) == n.Family)} boards)"));
                Console.WriteLine($"updating {targets.Count} board{(targets.Count == 1 ? "" : "s")} with {what}, " +
                    $"{FleetText.Pace(options)}{(options.WaitReboot is { } w ? $", waiting up to {Protocol.OtaUploadBudget.Seconds(w)} for each to reboot" : "")}" +
                    (otaUi is null ? "" : $" (OTA UI: start_ota to each, the image served on {otaUi.Session.Http.EndPoint}, judged by their heartbeats)"));
                if (targets.Count == 0)
                {
                    result = new FleetResult([], TimeSpan.Zero);
                }
                else if (UploadText.UseProgressBar)
                {
                    result = await FleetText.WithLiveTableAsync(() => latest, airtime.Snapshot, () => updater.UpdateAsync(targets, images, cancellationToken));
                }
                else
                {
                    updater.BoardChanged += FleetText.PlainLine;
                    result = await updater.UpdateAsync(targets, images, cancellationToken);
                }
                FleetText.Summary(result, found);
                FleetText.AirtimeSummary(airtime.Snapshot());
            }
            if (cancellationToken.IsCancellationRequested)
                throw new CliError(ExitCodes.Cancelled, $"interrupted: {result.Updated} of {targets.Count} boards were updated before Ctrl+C" +
                    $" ({result.Cancelled} cancelled, {result.Skipped} not started)");
            // A name conflict or a refused board is a matching board left alone: not every board was updated. A known board
            // that did not answer is only reported (the history keeps boards that are gone for good).
            if (targets.Count == 0 && found.Conflicts.Count == 0)
                throw new CliError(ExitCodes.BadInput, $"no board was sent anything: every matching board is of a family this run has no image for ({found.Refused.Count} refused)");
            return (result.AllUpdated || targets.Count == 0) && found.Conflicts.Count == 0 && found.Refused.Count == 0 ? ExitCodes.Ok : ExitCodes.PartialFailure;
        }));
        return command;
    }

    /// <summary>Starts the OTA UI run, printing the warnings of its images and options.</summary>
    private static async Task<OtaUiFleetPlan> StartOtaUiAsync(ParseResult parse, FleetUploadOptions o, FileInfo[] paths, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        using var history = HistoryDatabase.OpenForRecording(parse, o.Db);
        var plan = await OtaUiFleetPlan.StartAsync(parse, o, paths, warnings, history, cancellationToken);
        foreach (var w in warnings) Diagnostics.Warning(Printable.Of(w));
        return plan;
    }
}
