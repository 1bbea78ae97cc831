using System.CommandLine;
using System.Net;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Fleet;
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
        var file = new Argument<FileInfo>("file") { Description = "Image to send to every board (ota.bin format)" };
        var o = new FleetUploadOptions();
        var command = new Command("upload",
            "Send one image to many boards: discovered by mDNS (--match) or given with --ip, several at a time, failed uploads retried,\n" +
            "each board confirmed by its announcement after the reboot with --wait-reboot. One board failing or hanging never holds up the others.\n" +
            "Exit codes: 0 every board updated, 8 some were not (a failed upload, or no reboot seen with --wait-reboot), 6 no board matched, 2 image refused, 130 Ctrl+C.\n" +
            "Example: ameba-ota fleet upload v2.bin --match 'MyAmeba-*' --interface eth0 --wait-reboot 30\n" +
            "Example: ameba-ota fleet upload v2.bin --ip 192.168.1.50 --ip 192.168.1.51 --json")
        { file };
        o.AddTo(command);

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var path = parse.GetValue(file)!;
            bool asJson = parse.GetValue(o.Json);
            var image = ImageFile.Load(path.FullName);
            var options = o.ReadFleetOptions(parse, image.Length, out string? timeoutWarning);

            var warnings = UploadCommand.Preflight(path.Name, ref image, parse.GetValue(o.Force));
            if (timeoutWarning is not null) warnings.Add(timeoutWarning);
            foreach (var w in warnings) Diagnostics.Warning(w);

            using var history = HistoryDatabase.OpenForRecording(parse, o.Db);
            var found = await o.FindTargetsAsync(parse, options.Interface, history, cancellationToken);
            var targets = found.Targets;
            if (!asJson) foreach (var w in found.Warnings) Diagnostics.Warning(w);
            FleetUploadOptions.EnsureDescriptors(targets.Count, options);

            var updater = new FleetUpdater(options);
            var latest = targets.Select(t => new FleetBoardStatus(t, FleetBoardState.Queued, 0, image.Length, 0, TimeSpan.Zero)).ToArray();
            var index = targets.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
            updater.BoardChanged += s => Volatile.Write(ref latest[index[s.Target]], s);
            updater.BoardChanged += new FleetHistoryRecorder(history, ImageIdentity.Of(image, path.Name), "fleet upload", cancellationToken).OnBoardChanged;

            FleetResult result;
            if (asJson)
            {
                result = await updater.UpdateAsync(targets, image.Bytes, cancellationToken);
                foreach (var b in result.Boards) JsonOut.Write(FleetBoardJson.From(b), FleetJsonContext.Default.FleetBoardJson);
                foreach (var c in found.Conflicts) JsonOut.Write(FleetBoardJson.Conflict(c), FleetJsonContext.Default.FleetBoardJson);
                foreach (var s in found.Silent) JsonOut.Write(FleetBoardJson.Silent(s), FleetJsonContext.Default.FleetBoardJson);
                JsonOut.Write(new FleetAirtimeLineJson(AirtimeJson.From(updater.Airtime.Snapshot())), FleetJsonContext.Default.FleetAirtimeLineJson);
            }
            else
            {
                Console.WriteLine($"updating {targets.Count} board{(targets.Count == 1 ? "" : "s")} with {path.Name} ({image.Length} bytes, checksum 0x{image.Checksum:x8}), " +
                    $"{FleetText.Pace(options)}{(options.WaitReboot is { } w ? $", waiting up to {Protocol.OtaUploadBudget.Seconds(w)} for each to reboot" : "")}");
                if (UploadText.UseProgressBar)
                {
                    result = await FleetText.WithLiveTableAsync(() => latest, updater.Airtime.Snapshot, () => updater.UpdateAsync(targets, image.Bytes, cancellationToken));
                }
                else
                {
                    updater.BoardChanged += FleetText.PlainLine;
                    result = await updater.UpdateAsync(targets, image.Bytes, cancellationToken);
                }
                FleetText.Summary(result, found);
                FleetText.AirtimeSummary(updater.Airtime.Snapshot());
            }
            if (cancellationToken.IsCancellationRequested)
                throw new CliError(ExitCodes.Cancelled, $"interrupted: {result.Updated} of {targets.Count} boards were updated before Ctrl+C" +
                    $" ({result.Cancelled} cancelled, {result.Skipped} not started)");
            // A name conflict is a matching board left alone: not every board was updated. A known board that did not
            // answer is only reported (the history keeps boards that are gone for good).
            return result.AllUpdated && found.Conflicts.Count == 0 ? ExitCodes.Ok : ExitCodes.PartialFailure;
        }));
        return command;
    }
}
