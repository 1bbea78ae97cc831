using System.CommandLine;
using System.Net;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Discovery;
using AmebaOta.Families;
using AmebaOta.Fleet.History;
using AmebaOta.Protocol;

namespace AmebaOta.Cli.Commands;

/// <summary>
/// <c>ameba-ota upload</c>: send an image to a board over TCP, byte-compatible with the stock <c>upload_ota</c>, whose
/// flags (<c>-i IP -p PORT -f FILE</c>) also work so a board package's network pattern can call it unchanged.
/// </summary>
public static class UploadCommand
{
    /// <summary>Ameba1's stock OTA port: the default of <c>fleet</c>'s <c>--port</c> help text and of Ameba1 boards given by address.</summary>
    public const int DefaultPort = 5000;

    public static Command Build()
    {
        var file = new Argument<FileInfo?>("file") { Description = "Image to send (Ameba1 ota.bin; AmebaD OTA_All.bin or km0_km4_image2.bin); or give it with -f/--file", Arity = ArgumentArity.ZeroOrOne };
        var fileOption = new Option<FileInfo?>("--file", "-f") { Description = "Image to send, as the stock upload_ota takes it" };
        var ip = new Option<string?>("--ip", "-i") { Description = "The board's IPv4 address (the stock upload_ota's -i); with --device, which address is the board when its name answers from several" };
        var port = new Option<int?>("--port", "-p")
        {
            Description = "The board's OTA port. Default: the port its mDNS advertisement gives with --device (Ameba1), else 5000; " +
                          "8082 for AmebaD, whatever it advertises (its OTA_Basic listens there)",
        };
        var family = FamilyOption.Create("The board's family, where it cannot be inferred (a board given by --ip): the image must be of that family. " +
                                         "Inferred from the image's contents and, with --device, from the board's TXT board=");
        var timeout = UploadTimeoutOption.Create();
        var force = new Option<bool>("--force") { Description = "Send even a file the checks refuse (too large, no RTKWin, ram_all.bin, a bad OTA_All.bin header): can brick a stock board" };
        var device = new Option<string?>("--device", "-d") { Description = "Find the board by its mDNS name (e.g. MyAmeba) instead of --ip; its advertised port is used unless --port is given (AmebaD: 8082)" };
        var iface = DiscoverCommands.InterfaceOption();
        var discoverTimeout = new Option<double>("--discover-timeout") { Description = "Seconds to wait for --device to answer by mDNS", DefaultValueFactory = _ => 3 };
        var waitReboot = WaitRebootOption.Create();
        var json = CommonOptions.Json();
        var db = HistoryDatabase.Option();
        var command = new Command("upload",
            "Send an image to a board over the air: one TCP connection, the 12-byte header {checksum, 0, length}, the file, then close.\n" +
            "The board never answers; progress and success follow the bytes its TCP stack acknowledged. It erases first (about 45 ms\n" +
            "a 4 KiB sector, up to 400 ms), reading nothing meanwhile; the default timeout covers the slowest erase. A failed or\n" +
            "interrupted upload resets the connection, so the board fails cleanly instead of hanging. The board's family is read from\n" +
            "the image (and from its TXT board= with --device): an image of another family is refused before anything is sent.\n" +
            "AmebaD: OTA_All.bin or km0_km4_image2.bin (wrapped into OTA_All.bin on the way), sent to port 8082.\n" +
            "Exit codes: 2 bad or refused image, 4 cannot connect, 5 dropped or stalled mid-transfer, 7 no reboot seen (--wait-reboot), 130 interrupted.\n" +
            "Example: ameba-ota upload v2.bin --ip 192.168.1.50    (stock flags: ameba-ota upload -i 192.168.1.50 -p 5000 -f ota.bin)\n" +
            "Example: ameba-ota upload v2.bin --device MyAmeba --interface eth0 --wait-reboot 30\n" +
            "Example: ameba-ota upload km0_km4_image2.bin --device MyAmeba --wait-reboot    (AmebaD: sent to 8082)")
        { file, fileOption, ip, port, family, timeout, force, device, iface, discoverTimeout, waitReboot, json, db };

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() => UploadRecording.TrackAsync(parse, db, async record =>
        {
            var path = ResolveFile(parse.GetValue(file), parse.GetValue(fileOption));
            bool asJson = parse.GetValue(json);

            var loaded = BoardFamilies.LoadImage(path.FullName);
            var named = FamilyOption.Read(parse, family);
            if (named is not null && named != loaded.Family)
                throw new CliError(ExitCodes.BadInput, FamilyMismatch(path.Name, loaded, $"--family says the board is {Article(named)} {named.DisplayName} board"));
            var sender = Sender(path.Name, loaded);
            var image = sender.Prepare(loaded);
            var options = UploadTimeoutOption.Read(parse, timeout, [image], out string? timeoutWarning);
            var rebootWait = WaitRebootOption.Read(parse, waitReboot, [image]);
            var warnings = Preflight(path.Name, image, parse.GetValue(force));
            if (timeoutWarning is not null) warnings.Add(timeoutWarning);
            foreach (var w in warnings) Diagnostics.Warning(w);

            int? givenPort = parse.GetValue(port);
            var board = parse.GetValue(device) is { } name
                ? await FindBoardAsync(name, parse.GetValue(ip), parse.GetValue(iface), parse.GetValue(discoverTimeout), givenPort, path.Name, image, asJson, cancellationToken)
                : ResolveBoard(parse.GetValue(ip), givenPort ?? sender.DefaultPort);

            string boardName = record.BoardName(board, parse.GetValue(device));
            if (sender.BeforeUpdate(boardName, record.Earlier(boardName)) is { } before)
            {
                Diagnostics.Warning(Printable.Of(before));
                warnings.Add(before);
            }

            // Listen before sending, so the board's first announcement after its reboot cannot be missed.
            await using var watcher = rebootWait is null ? null : new RebootWatcher(parse.GetValue(iface));
            using var watch = watcher?.Watch(parse.GetValue(device), board, anyPort: !sender.ListensOnAdvertisedPort);
            record.Starting(board, parse.GetValue(device), path.Name, image);

            OtaUploadResult result;
            try
            {
                if (asJson)
                {
                    result = await sender.SendAsync(board, image, options, null, cancellationToken);
                }
                else if (UploadText.UseProgressBar)
                {
                    Console.WriteLine(Uploading(path.Name, image, board));
                    result = await UploadText.WithProgressBarAsync(path.Name, image.Length, sender.Erasing(image),
                        progress => sender.SendAsync(board, image, options, progress, cancellationToken));
                }
                else
                {
                    Console.WriteLine(Uploading(path.Name, image, board));
                    result = await sender.SendAsync(board, image, options, UploadText.PlainLines(image.Length, sender.Erasing(image)), cancellationToken);
                }
            }
            catch (OtaUploadException e)
            {
                string? last = e.Failure == OtaUploadFailure.ConnectionRefused ? record.LastFailure(boardName) : null;
                throw new CliError(e.Failure switch
                {
                    OtaUploadFailure.Interrupted => ExitCodes.Cancelled,
                    _ when e.IsConnectFailure => ExitCodes.CannotConnect,
                    _ => ExitCodes.TransferFailed,
                }, sender.Explain(e) + (last is null ? "" : $"; {last}"));
            }

            watch?.UploadFinished();
            if (!asJson)
            {
                Console.WriteLine($"{(result.AcknowledgedByBoard ? "the board acknowledged" : "sent")} {result.BytesSent} bytes + 12-byte header " +
                    $"in {UploadText.Duration(result.Duration)}{UploadText.Rate(result.WireBytes, result.Duration)}" +
                    (result.EraseWait is { } erase ? $" (board erase {UploadText.Duration(erase)})" : "") +
                    $"; checksum 0x{result.Header.Checksum:x8} ({result.Header.Checksum})");
                Console.WriteLine(watch is null
                    ? sender.AfterUpload(result)
                    : (sender.WhileWaiting(result) is { } closed ? closed + "; " : "") +
                      $"waiting up to {OtaUploadBudget.Seconds(rebootWait!.Value)} for the board to reboot and announce itself again by mDNS");
            }
            RebootResult? reboot = watch is null ? null : await watch.WaitAsync(rebootWait!.Value, cancellationToken);
            record.Rebooted(reboot);
            string? after = reboot is { Rebooted: false } ? null
                : sender.AfterUpdate(boardName, record.WithThis(boardName, image, path.Name, reboot is null ? UploadOutcome.Sent : UploadOutcome.Rebooted));
            if (asJson && after is not null) warnings.Add(after);
            if (asJson)
            {
                JsonOut.Write(new UploadJson(path.Name, board.Address.ToString(), board.Port, image.Length, result.BytesSent, result.WireBytes,
                    $"0x{result.Header.Checksum:x8}", result.Header.Checksum, Math.Round(result.ConnectTime.TotalMilliseconds, 3),
                    Math.Round(result.Duration.TotalMilliseconds, 3), result.AcknowledgedByBoard,
                    result.EraseWait is { } erase ? Math.Round(erase.TotalMilliseconds, 1) : null,
                    Math.Round((options.StallTimeout ?? sender.DefaultStall(image)).TotalSeconds, 3),
                    warnings, RebootJson.From(reboot), image.Family.Id,
                    result.BoardClose is { } close ? Math.Round(close.After.TotalMilliseconds, 1) : null), CliJsonContext.Default.UploadJson);
            }
            else
            {
                if (reboot is { Rebooted: true }) Console.WriteLine(UploadText.RebootedLine(reboot, sender.RebootMeaning));
                if (after is not null) Console.WriteLine(Printable.Of($"note: {after}"));
            }
            if (reboot is { Rebooted: false })
                throw new CliError(ExitCodes.NoReboot, reboot.WentDownDuringUpload
                    ? "the board went down before it had acknowledged the last byte (it probed for its name during the upload: a power cut or a reset) and did not come back after the upload: it runs its old image"
                    : $"the board did not announce itself again within {OtaUploadBudget.Seconds(rebootWait!.Value)} after the upload: {sender.NotBack(result)}");
            return ExitCodes.Ok;
        })));
        return command;
    }

    /// <summary>"uploading OTA_All.bin (AmebaD, 1048608 bytes, checksum 0x…) to 192.168.1.50:8082".</summary>
    private static string Uploading(string name, PushImage image, IPEndPoint board) =>
        $"uploading {name} ({(image.Family == BoardFamilies.Ameba1 ? "" : $"{image.Family.Id}, ")}{image.Length} bytes, checksum 0x{image.Checksum:x8}) to {board}";

    /// <summary>The sender of the image's family; a family that takes no push is refused (exit 2) with what it takes instead.</summary>
    internal static PushSender Sender(string name, IFirmwareImage image) =>
        image.Family.Push ?? throw new CliError(ExitCodes.BadInput,
            $"refusing to send {name}: it is {Article(image.Family)} {image.Family.DisplayName} image, and {image.Family.DisplayName} boards take no image pushed over TCP");

    /// <summary>"refusing to send OTA_All.bin: it is an AmebaD image (…) and MyAmeba is an Ameba1 board (TXT board=…); nothing was sent".</summary>
    internal static string FamilyMismatch(string name, IFirmwareImage image, string board) =>
        $"refusing to send {name}: it is {Article(image.Family)} {image.Family.DisplayName} image ({image.KindDescription}) and {board}; nothing was sent " +
        "(a board takes only images of its own family)";

    /// <summary>"an" before a vowel sound (Ameba1, AmebaD), else "a".</summary>
    internal static string Article(BoardFamily family) => "AEIOUaeiou".Contains(family.DisplayName[0]) ? "an" : "a";

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
    private static async Task<IPEndPoint> FindBoardAsync(string name, string? ip, string? iface, double seconds, int? port, string fileName, PushImage image,
        bool quiet, CancellationToken cancellationToken)
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
        if (found.Family is { } boardFamily && boardFamily != image.Family)
            throw new CliError(ExitCodes.BadInput, Printable.Of(FamilyMismatch(fileName, image.File,
                $"'{found.InstanceName}' is {Article(boardFamily)} {boardFamily.DisplayName} board (TXT board={found.Board})")));
        var address = chosen ?? found.Address;
        int used = port ?? image.Sender.PortFor(found.Port);
        if (!quiet)
        {
            Console.WriteLine(Printable.Of($"found {found.Label.Replace(found.Address.ToString(), address.ToString(), StringComparison.Ordinal)}, OTA port {used}" +
                (found.Conflicting ? $" (the name also answered from {string.Join(", ", found.AllAddresses.Where(a => !a.Equals(address)))}: --ip chose {address})" : "")));
            if (port is null && image.Sender.PortNote(found.Port) is { } note) Console.WriteLine(Printable.Of(note));
        }
        return ResolveBoard(address.ToString(), used);
    }

    private static IPEndPoint ResolveBoard(string? ip, int port)
    {
        if (string.IsNullOrWhiteSpace(ip)) throw new CliError(ExitCodes.Usage, "no board given: use --ip ADDRESS (or -i ADDRESS), or --device NAME to find it by mDNS");
        var address = AddressParsing.Parse(ip, "--ip");
        if (port is < 1 or > 65535) throw new CliError(ExitCodes.Usage, $"port {port} is out of range: use 1 to 65535");
        return new IPEndPoint(address, port);
    }

    /// <summary>Refuses (exit 2) what would harm a stock board or cannot work, unless forced (the family's checks,
    /// <see cref="PushSender.Prepare"/>); returns the warnings and notes to print.</summary>
    internal static List<string> Preflight(string name, PushImage image, bool force)
    {
        var warnings = new List<string>(image.Warnings.Concat(image.Notes));
        if (image.Refused && !force)
            throw new CliError(ExitCodes.BadInput, $"refusing to send {name}: {image.Refusals[0]} (--force sends it anyway)");
        foreach (var r in image.Refusals)
            warnings.Add($"--force: SENDING ANYWAY although {r}");
        return warnings;
    }
}
