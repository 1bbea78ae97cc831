using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using AmebaOta.Device;
using AmebaOta.Discovery;
using AmebaOta.Families;
using AmebaOta.Families.AmebaD;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota device run</c>: a virtual Ameba on a flash file, its serial output on stdout.</summary>
public static class DeviceCommands
{
    public static Command Build()
    {
        var device = new Command("device", "Run a virtual Ameba board: it boots a flash file and runs the sketch of the image it boots.");
        device.Add(Run());
        device.Add(FarmCommand.Build());
        device.Add(DeviceControlCommand.Build());
        return device;
    }

    private static Command Run()
    {
        var flash = new Option<FileInfo>("--flash") { Description = "Flash file the board boots from; written back after each OTA and on exit", Required = true };
        var ip = new Option<string>("--ip") { Description = "Address the OTA receiver listens on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--port") { Description = "Listen on this port instead of the sketch's (0: any free port, kept across reboots)" };
        var pins = new Option<string[]>("--pin") { Description = "Level of a pin at reset, PIN=high|low (Arduino pin 18 or chip pin PE_5). Repeatable. Unset pins read LOW", AllowMultipleArgumentsPerToken = false };
        var board = FlashCommands.BoardOption();
        var receiveTimeout = new Option<double?>("--receive-timeout") { Description = "Seconds the OTA receiver waits for each read (a real board's: 30 on Ameba1, 3 on AmebaD)" };
        var defaultSketch = new Option<bool>("--default-sketch") { Description = "Run the family's basic OTA sketch (Ameba1: ota_basic, MyAmeba, port 5000; AmebaD: OTA_Basic, port 8082) when the image has no sketch descriptor (real ARM code)" };
        var sketchOption = new Option<string?>("--sketch") { HelpName = "ota-basic|ota-http", Description = "The sketch to run when the image has no sketch descriptor (a real Arduino build output): ota-basic (the same as --default-sketch), or ota-http (the OTA UI example of AmebaD and AmebaPro2; needs --server)" };
        var server = new Option<string?>("--server") { HelpName = "HOST:PORT", Description = "The server a pull or OTA UI sketch talks to, instead of the one compiled into the image (e.g. 127.0.0.1:3000 for serve --ota-ui)" };
        var family = FamilyOption.Create("The board's family when the flash file's boot code does not say (an erased chip); otherwise read from the file");
        var iface = DiscoverCommands.InterfaceOption();
        iface.Description = "Network interface the board's mDNS responder uses, by name (lo) or address; default: the interface that holds --ip";
        var noMdns = new Option<bool>("--no-mdns") { Description = "Do not advertise by mDNS (the port is only listened on)" };
        var wifiDown = new Option<bool>("--wifi-down") { Description = "Start with the access point down (the sketch retries until 'wifi up')" };
        var wifiFlaky = new Option<string?>("--wifi-flaky")
        {
            Description = "Drop Wi-Fi at random, seeded: up for exponentially distributed times (mean 20 s), down for 1 to 5 s (uniform). Optional SEED; without one a seed is picked and noted",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "SEED",
        };
        var control = new Option<string?>("--control") { HelpName = "PATH", Description = "Also take commands on this Unix domain socket (one per line, one reply line each)" };
        var noStdin = new Option<bool>("--no-stdin") { Description = "Do not read commands from standard input" };
        var flashTiming = FlashTimingOption.Create();
        var sketchDelays = SketchDelaysOption.Create();
        var command = new Command("run",
            "Boot a virtual board from a flash file and run its sketch: the boot log, then e.g. \"This is version 1\" and the OTA receiver.\n" +
            "stdout carries exactly the board's serial output; notes from the simulator go to stderr. Ctrl+C stops it, with the flash file written back.\n" +
            "While it runs it takes commands on stdin (and --control PATH): " + Device.Control.BoardControl.Commands + ".\n" +
            "The flash takes real time (--flash-timing typical): an OTA of 480 KiB erases for about 5.4 s before the board reads a byte.\n" +
            "The family (Ameba1, AmebaD or AmebaPro2) is read from the flash file's boot code. An AmebaD board runs OTA_Basic: it joins Wi-Fi (10 s), advertises MyAmeba on port 5000 and listens on 8082. " +
            "An OTA UI board (AmebaPro2's OTA example, AmebaD's OTA_Http) posts its state to its server every 3.5 s and takes start_ota on TCP 5000; it has no mDNS.\n" +
            "Example: ameba-ota device run --flash board.bin --pin 18=high --control /tmp/board.sock\n" +
            "Example: ameba-ota device run --flash bw16.bin --port 0\n" +
            "Example: ameba-ota device run --family amebapro2 --sketch ota-http --server 127.0.0.1:3000 --flash amb82.bin")
        { flash, ip, port, pins, board, family, receiveTimeout, defaultSketch, sketchOption, server, iface, noMdns, wifiDown, wifiFlaky, control, noStdin, flashTiming, sketchDelays };

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var path = parse.GetValue(flash)!;
            var address = DeviceRunChecks.ParseAddress(parse.GetValue(ip)!, advertises: !parse.GetValue(noMdns));
            int? portOverride = parse.GetValue(port);
            if (portOverride is { } requested) OptionChecks.InRange(requested, 0, 65535, "--port");
            var chip = FlashCommands.FamilyOf(FlashFile.Load(path.FullName), FamilyOption.Read(parse, family), path.Name);
            var virtualFamily = Device.Families.VirtualFamilies.For(chip)
                ?? throw new CliError(ExitCodes.Usage, $"this version has no virtual {chip.DisplayName} board");
            bool amebaD = chip == BoardFamilies.AmebaD;
            bool noPins = chip != BoardFamilies.Ameba1;
            double timeout = parse.GetValue(receiveTimeout) ?? (amebaD ? 3 : 30);
            OptionChecks.Seconds(timeout, 86400, "--receive-timeout");
            if (noPins && parse.GetResult(board) is { Implicit: false }) throw new CliError(ExitCodes.Usage, $"--board: an {chip.DisplayName} board has one pin map that matters to OTA: none (drop --board)");
            if (amebaD && (parse.GetValue(pins) ?? []).Length > 0) throw new CliError(ExitCodes.Usage, "--pin: an AmebaD boot loader reads no pin (the forced-OTA1 GPIO is disabled in Realtek's boot image)");
            if (noPins && (parse.GetValue(pins) ?? []).Length > 0) throw new CliError(ExitCodes.Usage, $"--pin: an {chip.DisplayName} boot loader reads no pin");
            var boardKind = noPins ? chip.Boards[0] : FlashCommands.ParseBoard(parse.GetValue(board)!);
            var levels = FlashCommands.ParsePins(parse.GetValue(pins) ?? [], PinMap.For(boardKind));
            var flaky = ParseFlaky(parse.GetResult(wifiFlaky) is null ? null : parse.GetValue(wifiFlaky) ?? "");
            var timing = FlashTimingOption.Read(parse, flashTiming, chip);
            var sketchMode = SketchMode.Basic;
            if (parse.GetValue(sketchOption) is { } sketchText && (!SketchModes.TryParse(sketchText, out sketchMode) || sketchMode is not (SketchMode.Basic or SketchMode.OtaHttp)))
                throw new CliError(ExitCodes.Usage, $"--sketch {sketchText}: use ota-basic or ota-http");
            if (chip is AmebaOta.Families.AmebaPro2.AmebaPro2Family)
            {
                if (parse.GetValue(sketchOption) is not null && sketchMode != SketchMode.OtaHttp)
                    throw new CliError(ExitCodes.Usage, "--sketch: an AmebaPro2 board runs the OTA example: ota-http");
                sketchMode = SketchMode.OtaHttp;
            }
            string? serverText = parse.GetValue(server);
            if (serverText is not null && AmebaOta.Families.Ameba1.Pull.PullServerAddress.TryParse(serverText, out string? serverError) is null)
                throw new CliError(ExitCodes.Usage, $"--server: {serverError}");
            bool runsDefault = parse.GetValue(defaultSketch) || parse.GetValue(sketchOption) is not null;
            if (runsDefault && sketchMode == SketchMode.OtaHttp && serverText is null)
                throw new CliError(ExitCodes.Usage, "--sketch ota-http needs --server HOST:PORT: the OTA UI server the sketch reports to (a real build has it compiled in)");

            // Held while the board runs: a second board on the same flash file is refused, not left to overwrite this one's.
            using var flashLock = FlashFileLock.Acquire(path.ToString());
            var defaultSketchDescriptor = !parse.GetValue(defaultSketch) && parse.GetValue(sketchOption) is null ? null
                : sketchMode == SketchMode.OtaHttp ? new SketchDescriptor(0, RecoveryPin: Pins.RecoveryPin.Unused, Board: boardKind, Mode: SketchMode.OtaHttp, Server: serverText)
                : amebaD ? new SketchDescriptor(0, Port: AmebaDFamily.OtaPort, RecoveryPin: Pins.RecoveryPin.Unused, Board: BoardKind.Rtl8721d)
                : new SketchDescriptor(0, Board: boardKind, RecoveryPin: (byte)BoardKinds.DefaultRecoveryPin(boardKind));
            if (DeviceRunChecks.FirstListenPort(path.FullName, chip, levels, portOverride, defaultSketchDescriptor) is { } listenPort)
                DeviceRunChecks.EnsureCanListen(address, listenPort);
            bool mdns = !parse.GetValue(noMdns) && chip.MdnsBoardIds.Count > 0;   // AmebaPro2 boards have no mDNS
            if (mdns) MulticastCheck.Ensure(parse.GetValue(iface) ?? address.ToString(), offerNoMdns: true);

            var options = new VirtualBoardOptions
            {
                FlashPath = path.FullName,
                BindAddress = address,
                PortOverride = portOverride,
                Pins = levels,
                ReceiveTimeout = TimeSpan.FromSeconds(timeout),
                ServerOverride = serverText?.Trim(),
                AdvertiserFactory = !mdns ? null
                    : () => new MdnsResponder(new MdnsResponderOptions { Interface = parse.GetValue(iface) ?? address.ToString() }),
                Console = new DelegateBoardConsole(Console.Out.WriteLine, note => Console.Error.WriteLine($"[virtual board] {note}")),
                DefaultSketch = defaultSketchDescriptor,
                Wifi = new WifiNetwork(up: !parse.GetValue(wifiDown)),
                WifiFlaky = flaky,
                FlashTiming = timing,
                Family = virtualFamily,
                Timing = SketchDelaysOption.Read(parse, sketchDelays),
            };
            var virtualBoard = VirtualBoard.Open(options);
            // Our own SIGINT/SIGTERM/SIGHUP handling, registered before the board prints anything: a signal that arrives while
            // the first boot is still running synchronously must also end in a clean shutdown with the flash written back.
            using var power = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, PowerOff);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, PowerOff);
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, PowerOff);   // the terminal closed: stop as cleanly as on SIGTERM
            Console.Error.WriteLine($"[virtual board] {path.Name}: {chip.Id} board, {virtualBoard.Flash.Size / 1024} KiB flash, {timing} timing; Ctrl+C or 'quit' to stop");
            if (flaky is not null) Console.Error.WriteLine($"[virtual board] Wi-Fi flaky with seed {flaky.Seed} (--wifi-flaky {flaky.Seed} repeats it)");
            var controls = new Device.Control.BoardControl(virtualBoard, PinMap.For(boardKind));
            await using var host = DeviceControlHost.Start(controls, parse.GetValue(control), !parse.GetValue(noStdin), power.Cancel, power.Token);
            await Task.Run(() => virtualBoard.RunAsync(power.Token));
            Console.Error.WriteLine($"[virtual board] stopped; {path.Name} written back");
            return ExitCodes.Ok;

            void PowerOff(PosixSignalContext context)
            {
                context.Cancel = true;
                power.Cancel();
            }
        }));
        return command;
    }

    /// <summary>Null: not flaky. "": flaky with a picked seed. Otherwise the seed, a non-negative integer.</summary>
    private static WifiFlakiness? ParseFlaky(string? text)
    {
        if (text is null) return null;
        if (text.Length == 0) return new WifiFlakiness(Random.Shared.Next());
        if (int.TryParse(text.Trim(), out int seed) && seed >= 0) return new WifiFlakiness(seed);
        throw new CliError(ExitCodes.Usage, $"--wifi-flaky '{text}': the seed must be a whole number from 0 to {int.MaxValue}");
    }
}
