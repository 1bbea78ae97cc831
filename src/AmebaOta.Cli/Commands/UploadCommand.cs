using System.CommandLine;
using System.Net;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Discovery;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Protocol;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// <c>ameba-ota upload</c>: send an image to a board over TCP, byte-compatible with the stock <c>upload_ota</c>, whose
/// flags (<c>-i IP -p PORT -f FILE</c>) also work so a board package's network pattern can call it unchanged.
/// </summary>
public static class UploadCommand
{
    public const int DefaultPort = 5000;

    public static Command Build()
    {
        var file = new Argument<FileInfo?>("file") { Description = "Image to send (ota.bin format); or give it with -f/--file", Arity = ArgumentArity.ZeroOrOne };
        var fileOption = new Option<FileInfo?>("--file", "-f") { Description = "Image to send, as the stock upload_ota takes it" };
        var ip = new Option<string?>("--ip", "-i") { Description = "The board's IPv4 address (the stock upload_ota's -i); with --device, which address is the board when its name answers from several" };
        var port = new Option<int>("--port", "-p") { Description = "The board's OTA port", DefaultValueFactory = _ => DefaultPort };
        var timeout = UploadTimeoutOption.Create();
        var force = new Option<bool>("--force") { Description = "Send even a file the checks refuse (too large, no RTKWin, ram_all.bin): can brick a stock board" };
        var device = new Option<string?>("--device", "-d") { Description = "Find the board by its mDNS name (e.g. MyAmeba) instead of --ip; its advertised port is used unless --port is given" };
        var iface = DiscoverCommands.InterfaceOption();
        var discoverTimeout = new Option<double>("--discover-timeout") { Description = "Seconds to wait for --device to answer by mDNS", DefaultValueFactory = _ => 3 };
        var waitReboot = WaitRebootOption.Create();
        var json = CommonOptions.Json();
        var db = HistoryDatabase.Option();
        var command = new Command("upload",
            "Send an image to a board over the air: one TCP connection, the 12-byte header {checksum, 0, length}, the file, then close.\n" +
            "The board never answers; progress and success follow the bytes its TCP stack acknowledged. It erases the OTA region first\n" +
            "(about 45 ms a 4 KiB sector, up to 400 ms), reading nothing meanwhile; the default timeout covers the slowest erase.\n" +
            "A failed or interrupted upload resets the connection, so the board prints \"Download fail\" instead of hanging.\n" +
            "Exit codes: 2 bad image, 4 cannot connect, 5 dropped or stalled mid-transfer, 7 no reboot seen (--wait-reboot), 130 interrupted.\n" +
            "Example: ameba-ota upload v2.bin --ip 192.168.1.50    (stock flags: ameba-ota upload -i 192.168.1.50 -p 5000 -f ota.bin)\n" +
            "Example: ameba-ota upload v2.bin --device MyAmeba --interface eth0 --wait-reboot 30")
        { file, fileOption, ip, port, timeout, force, device, iface, discoverTimeout, waitReboot, json, db };

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() => UploadRecording.TrackAsync(parse, db, async record =>
        {
            var path = ResolveFile(parse.GetValue(file), parse.GetValue(fileOption));
            bool asJson = parse.GetValue(json);

            var image = ImageFile.Load(path.FullName);
            var options = UploadTimeoutOption.Read(parse, timeout, image.Length, out string? timeoutWarning);
            var rebootWait = WaitRebootOption.Read(parse, waitReboot, image.Length);
            var warnings = Preflight(path.Name, ref image, parse.GetValue(force));
            if (timeoutWarning is not null) warnings.Add(timeoutWarning);
            foreach (var w in warnings) Diagnostics.Warning(w);

            var board = parse.GetValue(device) is { } name
                ? await FindBoardAsync(name, parse.GetValue(ip), parse.GetValue(iface), parse.GetValue(discoverTimeout),
                    parse.GetResult(port) is { Implicit: false } ? parse.GetValue(port) : null, asJson, cancellationToken)
                : ResolveBoard(parse.GetValue(ip), parse.GetValue(port));

            // Listen before sending, so the board's first announcement after its reboot cannot be missed.
            await using var watcher = rebootWait is null ? null : new RebootWatcher(parse.GetValue(iface));
            using var watch = watcher?.Watch(parse.GetValue(device), board);
            record.Starting(board, parse.GetValue(device), path.Name, image);

            OtaUploadResult result;
            try
            {
                if (asJson)
                {
                    result = await OtaUploader.UploadAsync(board, image.Bytes, options, null, cancellationToken);
                }
                else if (UploadText.UseProgressBar)
                {
                    Console.WriteLine($"uploading {path.Name} ({image.Length} bytes, checksum 0x{image.Checksum:x8}) to {board}");
                    result = await UploadText.WithProgressBarAsync(path.Name, image.Length,
                        progress => OtaUploader.UploadAsync(board, image.Bytes, options, progress, cancellationToken));
                }
                else
                {
                    Console.WriteLine($"uploading {path.Name} ({image.Length} bytes, checksum 0x{image.Checksum:x8}) to {board}");
                    result = await OtaUploader.UploadAsync(board, image.Bytes, options, UploadText.PlainLines(image.Length), cancellationToken);
                }
            }
            catch (OtaUploadException e)
            {
                throw new CliError(e.Failure switch
                {
                    OtaUploadFailure.Interrupted => ExitCodes.Cancelled,
                    _ when e.IsConnectFailure => ExitCodes.CannotConnect,
                    _ => ExitCodes.TransferFailed,
                }, e.Message);
            }

            watch?.UploadFinished();
            if (!asJson)
            {
                Console.WriteLine($"{(result.AcknowledgedByBoard ? "the board acknowledged" : "sent")} {result.BytesSent} bytes + 12-byte header " +
                    $"in {UploadText.Duration(result.Duration)}{UploadText.Rate(result.WireBytes, result.Duration)}" +
                    (result.EraseWait is { } erase ? $" (board erase {UploadText.Duration(erase)})" : "") +
                    $"; checksum 0x{result.Header.Checksum:x8} ({result.Header.Checksum})");
                Console.WriteLine(watch is null
                    ? "the board does not answer: it verifies the checksum, prints \"OTA success\" and reboots into the new image"
                    : $"waiting up to {OtaUploadBudget.Seconds(rebootWait!.Value)} for the board to reboot and announce itself again by mDNS");
            }
            RebootResult? reboot = watch is null ? null : await watch.WaitAsync(rebootWait!.Value, cancellationToken);
            record.Rebooted(reboot);
            if (asJson)
            {
                JsonOut.Write(new UploadJson(path.Name, board.Address.ToString(), board.Port, image.Length, result.BytesSent, result.WireBytes,
                    $"0x{result.Header.Checksum:x8}", result.Header.Checksum, Math.Round(result.ConnectTime.TotalMilliseconds, 3),
                    Math.Round(result.Duration.TotalMilliseconds, 3), result.AcknowledgedByBoard,
                    result.EraseWait is { } erase ? Math.Round(erase.TotalMilliseconds, 1) : null,
                    Math.Round((options.StallTimeout ?? OtaUploadBudget.DefaultStall(image.Length)).TotalSeconds, 3),
                    warnings, RebootJson.From(reboot)), CliJsonContext.Default.UploadJson);
            }
            else if (reboot is { Rebooted: true })
            {
                Console.WriteLine(UploadText.RebootedLine(reboot));
            }
            if (reboot is { Rebooted: false })
                throw new CliError(ExitCodes.NoReboot, reboot.WentDownDuringUpload
                    ? "the board went down before it had acknowledged the last byte (it probed for its name during the upload: a power cut or a reset) and did not come back after the upload: it runs its old image"
                    : $"the board did not announce itself again within {OtaUploadBudget.Seconds(rebootWait!.Value)} after the upload: it has probably not rebooted into the new image (its serial output says why: \"Bad checksum\", \"OTA fail\")");
            return ExitCodes.Ok;
        })));
        return command;
    }

    private static FileInfo ResolveFile(FileInfo? positional, FileInfo? option)
    {
        if (positional is not null && option is not null && positional.FullName != option.FullName)
            throw new CliError(ExitCodes.Usage, $"two images given ('{positional.Name}' and -f '{option.Name}'); give one");
        return positional ?? option ?? throw new CliError(ExitCodes.Usage, "no image given: ameba-ota upload FILE --ip ADDRESS (or -f FILE)");
    }

    /// <summary>
    /// Resolves <c>--device</c> by mDNS (never by touching the OTA port: the board would take that for an upload). A name
    /// that answers from several addresses (a duplicate or an impostor) is never picked silently: <c>--ip</c> says which.
    /// </summary>
    private static async Task<IPEndPoint> FindBoardAsync(string name, string? ip, string? iface, double seconds, int? port, bool quiet, CancellationToken cancellationToken)
    {
        var chosen = ip is null ? null : AddressParsing.Parse(ip, "--ip");
        OptionChecks.Seconds(seconds, 3600, "--discover-timeout");
        var found = await BoardResolver.ResolveAsync(name, iface, TimeSpan.FromSeconds(seconds), cancellationToken)
            ?? throw new CliError(ExitCodes.NotFound, $"no board named '{name}' answered by mDNS within {seconds:0.###} s{(iface is null ? "" : $" on {iface}")}");
        string addresses = string.Join(" and ", found.AllAddresses);
        if (chosen is not null && !found.AllAddresses.Contains(chosen))
            throw new CliError(ExitCodes.NotFound, $"'{found.InstanceName}' answered by mDNS from {addresses}, not from {chosen}");
        if (chosen is null && found.Conflicting)
            throw new CliError(ExitCodes.NotFound, $"'{found.InstanceName}' answered by mDNS from {found.AllAddresses.Count} addresses ({addresses}): a duplicate " +
                "name or an impostor; nothing was sent (give --ip ADDRESS as well to say which is the board)");
        var address = chosen ?? found.Address;
        if (!quiet) Console.WriteLine($"found {found.Label.Replace(found.Address.ToString(), address.ToString(), StringComparison.Ordinal)}, OTA port {found.Port}" +
            (found.Conflicting ? $" (the name also answered from {string.Join(", ", found.AllAddresses.Where(a => !a.Equals(address)))}: --ip chose {address})" : ""));
        return ResolveBoard(address.ToString(), port ?? found.Port);
    }

    private static IPEndPoint ResolveBoard(string? ip, int port)
    {
        if (string.IsNullOrWhiteSpace(ip)) throw new CliError(ExitCodes.Usage, "no board address given: use --ip ADDRESS (or -i ADDRESS)");
        var address = AddressParsing.Parse(ip, "--ip");
        if (port is < 1 or > 65535) throw new CliError(ExitCodes.Usage, $"port {port} is out of range: use 1 to 65535");
        return new IPEndPoint(address, port);
    }

    /// <summary>Refuses (exit 2) what would harm a stock board or cannot work, unless forced; replaces <paramref name="image"/>
    /// with the image as sent (<see cref="OtaImageAsSent"/>: signature words cleared); returns the warnings and notes to print.</summary>
    internal static List<string> Preflight(string name, ref ImageFile image, bool force)
    {
        var asSent = OtaImageAsSent.Prepare(image);
        var check = asSent.Check;
        image = asSent.Image;
        var warnings = new List<string>(check.Warnings.Concat(asSent.Notes));
        if (check.Refused && !force)
            throw new CliError(ExitCodes.BadInput, $"refusing to send {name}: {check.Refusals[0]} (--force sends it anyway)");
        foreach (var r in check.Refusals)
            warnings.Add($"--force: SENDING ANYWAY although {r}");
        return warnings;
    }
}
