using System.CommandLine;
using System.Net;
using AmebaOta.Cli.Output;
using AmebaOta.Discovery;
using AmebaOta.Fleet;
using AmebaOta.Images;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota fleet upload</c>: one image to many boards, found by mDNS or given by address.</summary>
public static class FleetCommands
{
    public static Command Build()
    {
        var fleet = new Command("fleet", "Update many boards at once.\nExample: ameba-ota fleet upload v2.bin --match 'MyAmeba-*' --wait-reboot");
        fleet.Add(Upload());
        return fleet;
    }

    private static Command Upload()
    {
        var file = new Argument<FileInfo>("file") { Description = "Image to send to every board (ota.bin format)" };
        var match = new Option<string?>("--match") { Description = "Update the boards whose mDNS instance name matches this pattern (* and ?, case-insensitive); default: every board found" };
        var ips = new Option<string[]>("--ip", "-i") { Description = "Update the board at this address (ADDRESS or ADDRESS:PORT) instead of discovering; repeatable", AllowMultipleArgumentsPerToken = false };
        var port = new Option<int>("--port", "-p") { Description = "OTA port of the boards given with --ip", DefaultValueFactory = _ => UploadCommand.DefaultPort };
        var iface = DiscoverCommands.InterfaceOption();
        var discoverTimeout = new Option<double>("--discover-timeout") { Description = "Seconds to listen for boards by mDNS", DefaultValueFactory = _ => 3 };
        var parallel = new Option<int>("--parallel") { Description = "Boards updated at the same time", DefaultValueFactory = _ => 16 };
        var timeout = UploadTimeoutOption.Create();
        var waitReboot = WaitRebootOption.Create();
        var retries = new Option<int>("--retries") { Description = "Further attempts for a board whose upload failed (not for one that took the image but did not come back)", DefaultValueFactory = _ => 2 };
        var retryDelay = new Option<double>("--retry-delay") { Description = "Seconds to wait before a retry", DefaultValueFactory = _ => 1 };
        var force = new Option<bool>("--force") { Description = "Send even an image the checks refuse (too large, no RTKWin, ram_all.bin): can brick stock boards" };
        var json = new Option<bool>("--json") { Description = "Write one JSON object per board (one per line) instead of text" };
        var command = new Command("upload",
            "Send one image to many boards: discovered by mDNS (--match) or given with --ip, several at a time, failed uploads retried,\n" +
            "each board confirmed by its announcement after the reboot with --wait-reboot. One board failing or hanging never holds up the others.\n" +
            "Exit codes: 0 every board updated, 8 some were not, 6 no board matched, 2 image refused.\n" +
            "Example: ameba-ota fleet upload v2.bin --match 'MyAmeba-*' --interface eth0 --wait-reboot 30\n" +
            "Example: ameba-ota fleet upload v2.bin --ip 192.168.1.50 --ip 192.168.1.51 --json")
        { file, match, ips, port, iface, discoverTimeout, parallel, timeout, waitReboot, retries, retryDelay, force, json };

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var path = parse.GetValue(file)!;
            bool asJson = parse.GetValue(json);
            var image = ImageFile.Load(path.FullName);
            var upload = UploadTimeoutOption.Read(parse, timeout, image.Length, out string? timeoutWarning);
            var options = new FleetOptions
            {
                MaxParallel = InRange(parse.GetValue(parallel), 1, 1024, "--parallel"),
                ConnectTimeout = upload.ConnectTimeout,
                StallTimeout = upload.StallTimeout,
                Retries = InRange(parse.GetValue(retries), 0, 100, "--retries"),
                RetryDelay = TimeSpan.FromSeconds(InRange(parse.GetValue(retryDelay), 0, 3600, "--retry-delay")),
                WaitReboot = WaitRebootOption.Read(parse, waitReboot, image.Length),
                Interface = parse.GetValue(iface),
            };

            var warnings = UploadCommand.Preflight(path.Name, ref image, parse.GetValue(force));
            if (timeoutWarning is not null) warnings.Add(timeoutWarning);
            foreach (var w in warnings) Console.Error.WriteLine($"warning: {w}");

            string? pattern = parse.GetValue(match);
            var addresses = parse.GetValue(ips) ?? [];
            List<FleetTarget> targets;
            int notMatched = 0;
            if (addresses.Length > 0)
            {
                if (pattern is not null) throw new CliError(ExitCodes.Usage, "give either --match or --ip, not both");
                int p = InRange(parse.GetValue(port), 1, 65535, "--port");
                targets = addresses.Select(a => ParseAddress(a, p)).Select(ep => new FleetTarget(ep.ToString(), ep)).DistinctBy(t => t.EndPoint).ToList();
            }
            else
            {
                double seconds = Positive(parse.GetValue(discoverTimeout), 3600, "--discover-timeout");
                var browser = new MdnsBrowser(new MdnsBrowserOptions { Interface = options.Interface });
                var found = await browser.BrowseAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
                var matching = found.Where(s => pattern is null || NameGlob.Matches(pattern, s.InstanceName)).ToList();
                notMatched = found.Count - matching.Count;
                targets = matching.OrderBy(s => s.InstanceName, StringComparer.OrdinalIgnoreCase)
                    .Select(s => new FleetTarget(s.InstanceName, new IPEndPoint(s.Address, s.Port), ByName: true))
                    .DistinctBy(t => t.EndPoint).ToList();
                if (targets.Count == 0)
                    throw new CliError(ExitCodes.NotFound, found.Count == 0
                        ? $"no board answered by mDNS within {seconds:0.###} s{(options.Interface is null ? "" : $" on {options.Interface}")}"
                        : $"none of the {found.Count} boards found matches '{pattern}' ({string.Join(", ", found.Select(s => s.InstanceName).Take(5))}{(found.Count > 5 ? ", ..." : "")})");
            }

            var updater = new FleetUpdater(options);
            var latest = targets.Select(t => new FleetBoardStatus(t, FleetBoardState.Queued, 0, image.Length, 0, TimeSpan.Zero)).ToArray();
            var index = targets.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
            updater.BoardChanged += s => Volatile.Write(ref latest[index[s.Target]], s);

            FleetResult result;
            if (asJson)
            {
                result = await updater.UpdateAsync(targets, image.Bytes, cancellationToken);
                foreach (var b in result.Boards) JsonOut.Write(FleetBoardJson.From(b), FleetJsonContext.Default.FleetBoardJson);
            }
            else
            {
                Console.WriteLine($"updating {targets.Count} board{(targets.Count == 1 ? "" : "s")} with {path.Name} ({image.Length} bytes, checksum 0x{image.Checksum:x8}), " +
                    $"{options.MaxParallel} at a time{(options.WaitReboot is { } w ? $", waiting up to {Protocol.OtaUploadBudget.Seconds(w)} for each to reboot" : "")}");
                if (UploadText.UseProgressBar)
                {
                    result = await FleetText.WithLiveTableAsync(() => latest, () => updater.UpdateAsync(targets, image.Bytes, cancellationToken));
                }
                else
                {
                    updater.BoardChanged += FleetText.PlainLine;
                    result = await updater.UpdateAsync(targets, image.Bytes, cancellationToken);
                }
                FleetText.Summary(result, notMatched, pattern);
            }
            return result.AllUpdated ? ExitCodes.Ok : ExitCodes.PartialFailure;
        }));
        return command;
    }

    /// <summary>"192.168.1.50" (with --port) or "192.168.1.50:5001".</summary>
    private static IPEndPoint ParseAddress(string text, int port)
    {
        text = text.Trim();
        if (IPAddress.TryParse(text, out var ip)) return new IPEndPoint(ip, port);
        if (IPEndPoint.TryParse(text, out var ep) && ep.Port > 0) return ep;
        throw new CliError(ExitCodes.Usage, $"'{text}' is not an IP address (for example 192.168.1.50, or 192.168.1.50:5000)");
    }

    private static T InRange<T>(T value, T min, T max, string name) where T : IComparable<T> =>
        value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0 ? value : throw new CliError(ExitCodes.Usage, $"{name} {value} is out of range: use {min} to {max}");

    private static double Positive(double value, double max, string name) =>
        value > 0 && value <= max ? value : throw new CliError(ExitCodes.Usage, $"{name} {value} is out of range: use more than 0 and at most {max}");
}
