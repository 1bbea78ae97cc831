using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using AmebaOta.Device;
using AmebaOta.Device.Control;
using AmebaOta.Device.Farm;
using AmebaOta.Discovery;
using AmebaOta.Families;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota device farm</c>: many virtual boards in one process, each on its own loopback address, serial output prefixed with its name.</summary>
public static class FarmCommand
{
    public static Command Build()
    {
        var count = new Option<int?>("--count") { Description = $"How many boards (1 to {DeviceFarmOptions.MaxBoards}); optional when --family gives counts" };
        var family = new Option<string?>("--family")
        {
            HelpName = "FAMILY|FAMILY:N,…",
            Description = $"The boards' family ({BoardFamilies.Ids}), or a mix in board order, e.g. ameba1:5,amebad:5 (default: the image's family). " +
                "An existing flash file boots as its boot code says",
        };
        var dir = new Option<DirectoryInfo>("--dir") { Description = "Directory of the flash files board-001.bin …; created when missing", DefaultValueFactory = _ => new DirectoryInfo("boards") };
        var image = new Option<FileInfo[]>("--image")
        {
            Description = "Image written as a USB upload of its family would (as 'flash dap' does) into each flash file of that family that does not exist yet; " +
                "repeat it for a mix (one image per family, recognised from its contents); existing files boot as they are",
            AllowMultipleArgumentsPerToken = false,
        };
        var baseIp = new Option<string>("--base-ip") { Description = "Address of the first board; the others count up from it, on 127.0.0.0/8 only", DefaultValueFactory = _ => DeviceFarmOptions.DefaultBaseAddress.ToString() };
        var iface = DiscoverCommands.InterfaceOption();
        iface.Description = "Network interface of the boards' mDNS responders, by name (lo) or address; default: loopback, which holds the boards' addresses";
        var port = new Option<int?>("--port") { Description = "OTA port every board listens on, each on its own address (default: the family's: 5000 on Ameba1, 8082 on AmebaD)" };
        var namePrefix = new Option<string>("--name-prefix") { Description = "Board k advertises <prefix>-00k by mDNS, whatever its image says, across reboots and updates", DefaultValueFactory = _ => DeviceFarmOptions.DefaultNamePrefix };
        var receiveTimeout = new Option<double?>("--receive-timeout") { Description = "Seconds each OTA receiver waits for each read (a real board's: 30 on Ameba1, 3 on AmebaD)" };
        var sketchDelays = SketchDelaysOption.Create();
        var flashTiming = FlashTimingOption.Create();
        var control = new Option<string?>("--control")
        {
            Description = "Unix socket taking '<board> <command>' lines (reset, pin 18 high, wifi down, power-cut, status) and 'follow' (every board's serial output): what 'dashboard --attach' uses",
            HelpName = "PATH",
        };
        var command = new Command("farm",
            "Run many virtual boards in one process: board k boots boards/board-00k.bin, listens on --port at its own address (127.0.0.2, 127.0.0.3, … from --base-ip)\n" +
            "and advertises <prefix>-00k by mDNS.\n" +
            "stdout carries every board's serial output, each line prefixed with its name ([MyAmeba-001] This is version 1); notes go to stderr.\n" +
            "Ctrl+C stops every board, with each flash file written back.\n" +
            "Example: ameba-ota device farm --count 20 --image v1.bin --interface lo\n" +
            "Example: ameba-ota device farm --count 20 --image v1.bin --control /tmp/farm.sock    (then: ameba-ota dashboard --attach /tmp/farm.sock)\n" +
            "Example: ameba-ota device farm --family ameba1:5,amebad:5 --image v1.bin --image km0_km4_image2.bin")
        { count, family, dir, image, baseIp, iface, port, namePrefix, receiveTimeout, flashTiming, sketchDelays, control };

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            string ipText = parse.GetValue(baseIp)!;
            var first = AddressParsing.Parse(ipText, "--base-ip", allowIpv6: true, allowNames: false);   // the farm says why IPv6 will not do
            double? timeout = parse.GetValue(receiveTimeout);
            if (timeout is { } t) OptionChecks.Seconds(t, 86400, "--receive-timeout");
            var directory = parse.GetValue(dir)!;
            var imagePaths = parse.GetValue(image) ?? [];
            string? mdnsInterface = parse.GetValue(iface);
            var (mix, mixCount) = ParseMix(parse.GetValue(family), "--family");
            int boardCount = parse.GetValue(count) ?? mixCount
                ?? throw new CliError(ExitCodes.Usage, "--count is required (or give the counts in --family, e.g. ameba1:5,amebad:5)");
            if (mixCount is { } total && parse.GetValue(count) is { } asked && asked != total)
                throw new CliError(ExitCodes.Usage, $"--count {asked} but --family counts {total} boards");
            if (mix is { Count: 1 } && mix[0].Count == 0) mix = [(mix[0].Family, boardCount)];

            var options = new DeviceFarmOptions
            {
                Count = boardCount,
                Mix = mix,
                Directory = directory.FullName,
                BaseAddress = first,
                Port = parse.GetValue(port),
                NamePrefix = parse.GetValue(namePrefix)!,
                MdnsInterface = mdnsInterface,
                ReceiveTimeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                FlashTiming = FlashTimingOption.Read(parse, flashTiming),
                FlashTimingFor = FlashTimingOption.ReadPerFamily(parse, flashTiming),
                Timing = SketchDelaysOption.Read(parse, sketchDelays),
                ConsoleFor = plan => PrefixedConsole(plan.Name),
            };
            var plans = Farm(() => FarmBoardPlan.For(options));   // every option checked before anything is read or written
            // Each board holds its flash file's lock and its OTA listener, and a connection while it takes an image.
            if (Native.FileDescriptorLimit.Ensure(3L * plans.Count + 64, $"a farm of {plans.Count} boards") is { } limit) Output.Diagnostics.Warning(limit);
            string? controlPath = parse.GetValue(control);
            // With a control socket, each board's last lines are kept for followers (a dashboard attaching later sees them).
            var backlogs = controlPath is null ? null : plans.ToDictionary(p => p.Name, _ => new SerialBacklog(), StringComparer.OrdinalIgnoreCase);
            if (backlogs is not null) options = options with { ConsoleFor = plan => SerialBacklog.Console(backlogs[plan.Name], PrefixedConsole(plan.Name)) };
            MulticastCheck.Ensure(mdnsInterface ?? first.ToString(), offerNoMdns: false);
            var resolved = Mdns(() => MdnsInterface.Resolve(mdnsInterface ?? first.ToString()));
            options = options with { Images = [.. imagePaths.Select(LoadImage)] };
            if (options.Images.GroupBy(i => i.Family).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new CliError(ExitCodes.Usage, $"two --image files are {twice.Key.Id} images: give one image per family");
            if (options.Mix is null && options.Images.Count > 1)
                throw new CliError(ExitCodes.Usage, "several --image files need --family with the mix of boards (e.g. ameba1:5,amebad:5)");

            var farm = Farm(() => DeviceFarm.Open(options));
            var boards = farm.Boards;
            using var flashLocks = FlashFileLock.AcquireAll(boards.Select(b => b.FlashPath));   // another board on these files is refused
            int created = boards.Count(b => b.Created);
            await using var controlServer = controlPath is null ? null
                : FarmControlServer.Start(controlPath, new FarmControl(boards, AmebaOta.Pins.PinMap.For(options.Image?.Sketch?.Board ?? BoardKind.Rtl8195a)), backlogs!);
            var clock = Stopwatch.StartNew();
            using var power = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, PowerOff);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, PowerOff);
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, PowerOff);   // the terminal closed: stop as cleanly as on SIGTERM
            var byFamily = boards.GroupBy(b => b.Board.Family.Id).Select(g => (Family: g.Key, Port: g.First().PortText)).ToList();
            string ports = byFamily.Select(f => f.Port).Distinct().Count() == 1 ? byFamily[0].Port : string.Join(", ", byFamily.Select(f => $"{f.Port} ({f.Family})"));
            Console.Error.WriteLine($"[farm] {boards.Count} boards {Span(boards[0].Name, boards[^1].Name)} on {Span(boards[0].Address, boards[^1].Address)}, " +
                $"port {(options.Port is { } p ? p.ToString() : ports)}, {options.FlashTiming} flash timing, mDNS on {string.Join(", ", resolved.Select(i => i.Name))}; flash files in {directory.FullName} " +
                $"({created} created, {boards.Count - created} reused). Ctrl+C stops them all");
            if (controlServer is not null) Console.Error.WriteLine($"[farm] control socket {controlServer.Path}: '<board> <command>' lines ({BoardControl.Commands}), 'follow'");
            _ = farm.AllListening.ContinueWith(_ => Console.Error.WriteLine(
                $"[farm] all {boards.Count} boards listening (ready in {clock.Elapsed.TotalSeconds:0.00} s)"),
                CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            try
            {
                await farm.RunAsync(power.Token);
            }
            catch (MdnsException e)
            {
                throw new CliError(ExitCodes.IoError, e.Message);
            }
            Console.Error.WriteLine($"[farm] stopped; {boards.Count} flash files written back");
            return ExitCodes.Ok;

            void PowerOff(PosixSignalContext context)
            {
                context.Cancel = true;
                power.Cancel();
            }
        }));
        return command;
    }

    /// <summary><c>amebad</c> → (all of that family, count unknown); <c>ameba1:5,amebad:5</c> → the mix and its total.</summary>
    internal static (IReadOnlyList<(BoardFamily Family, int Count)>? Mix, int? Total) ParseMix(string? text, string option)
    {
        if (text is null) return (null, null);
        var mix = new List<(BoardFamily, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pieces = part.Split(':', 2, StringSplitOptions.TrimEntries);
            var found = BoardFamilies.Find(pieces[0])
                ?? throw new CliError(ExitCodes.Usage, $"{option} '{pieces[0]}' is not a family this version knows: use {string.Join(", ", BoardFamilies.All.Select(f => f.Id))}");
            if (pieces.Length == 1)
            {
                if (text.Contains(',')) throw new CliError(ExitCodes.Usage, $"{option} {text}: give each family of a mix its count, e.g. ameba1:5,amebad:5");
                return ([(found, 0)], null);
            }
            if (!int.TryParse(pieces[1], out int n) || n < 1 || n > DeviceFarmOptions.MaxBoards)
                throw new CliError(ExitCodes.Usage, $"{option} {part}: the count after ':' is a number of boards from 1 to {DeviceFarmOptions.MaxBoards}");
            if (mix.Any(m => m.Item1 == found)) throw new CliError(ExitCodes.Usage, $"{option} {text}: {found.Id} is named twice");
            mix.Add((found, n));
        }
        if (mix.Count == 0) throw new CliError(ExitCodes.Usage, $"{option}: name a family, or a mix such as ameba1:5,amebad:5");
        return (mix, mix.Sum(m => m.Item2));
    }

    internal static IFirmwareImage LoadImage(FileInfo file) => BoardFamilies.LoadImage(file.FullName);

    private static string Span(object first, object last) => first.Equals(last) ? $"{first}" : $"{first} … {last}";

    /// <summary>Serial lines to stdout as <c>[MyAmeba-001] This is version 1</c>; notes to stderr, prefixed the same way.</summary>
    private static IBoardConsole PrefixedConsole(string name)
    {
        string prefix = $"[{name}]";
        return new DelegateBoardConsole(
            line => Console.Out.WriteLine(line.Length == 0 ? prefix : $"{prefix} {line}"),
            note => Console.Error.WriteLine($"{prefix} [virtual board] {note}"));
    }

    private static T Farm<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (FarmException e)
        {
            throw new CliError(e.Problem == FarmProblem.MissingInput ? ExitCodes.BadInput : ExitCodes.Usage, e.Message);
        }
    }

    private static T Mdns<T>(Func<T> body)
    {
        try
        {
            return Farm(body);
        }
        catch (MdnsException e)
        {
            throw new CliError(ExitCodes.IoError, e.Message);
        }
    }
}
