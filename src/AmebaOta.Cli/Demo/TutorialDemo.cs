using System.Diagnostics;
using System.Net;
using AmebaOta.Cli.Output;
using AmebaOta.Device;
using AmebaOta.Device.Families.Ameba1.Sketches;
using AmebaOta.Discovery;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;
using AmebaOta.Protocol;

namespace AmebaOta.Cli.Demo;

/// <summary>
/// The Ameba OTA tutorial on a virtual board, start to end, on loopback only: build v1 and v2, upload v1 "by USB", boot,
/// find the board by mDNS, upload v2 over the air, then the recovery pin held and released. Every boot decision is checked;
/// a wrong one (or a step that never happens) ends the demo with a <see cref="CliError"/>.
/// </summary>
public sealed class TutorialDemo(DemoOutput output, FlashTiming flashTiming) : ITutorialDemo
{
    private const int Steps = 7;
    private const string MdnsInterface = "lo";
    private static readonly IPAddress Address = IPAddress.Loopback;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);
    private const BoardKind Board = BoardKind.Rtl8195a;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string work = Directory.CreateTempSubdirectory("ameba-ota-demo-").FullName;
        try
        {
            await RunInAsync(work, cancellationToken);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        output.Done($"demo finished in {clock.Elapsed.TotalSeconds:0.0} s: all four boots chose the image the tutorial says they would");
    }

    private async Task RunInAsync(string work, CancellationToken cancellationToken)
    {
        int port = DemoPort.Choose(Address, SketchDescriptor.DefaultPort);
        int recoveryPin = BoardKinds.DefaultRecoveryPin(Board);
        var pinChip = PinMap.For(Board).ToChip(recoveryPin)!.Value;

        output.Step(1, Steps, "Build two firmware images",
            "Version 1 and version 2 of the ota_basic example sketch, in ota.bin format (what the Arduino IDE builds).");
        if (port != SketchDescriptor.DefaultPort) output.Host($"port {SketchDescriptor.DefaultPort} is taken on this machine; the sketches use port {port}");
        byte[] v1 = MakeImage(work, "v1.bin", new SketchDescriptor(1, Port: (ushort)port, Board: Board, RecoveryPin: (byte)recoveryPin, AppliesVersion1Settings: true));
        byte[] v2 = MakeImage(work, "v2.bin", new SketchDescriptor(2, Port: (ushort)port, Board: Board, RecoveryPin: (byte)recoveryPin));

        output.Step(2, Steps, "Upload version 1 by USB",
            "A USB/DAP upload writes Default Image 2 at 0xB000 signed \"new\" and erases system data: the board has no OTA address yet.");
        string flashPath = Path.Combine(work, "board.bin");
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        var dap = DapUpload.Write(flash, ImageFile.Parse(v1));
        FlashFile.Save(flash, flashPath);
        output.Host($"flash create board.bin  →  blank 1 MiB chip, Image 1 points at 0x{FlashLayout.DefaultImage2:x}");
        output.Host($"flash dap board.bin v1.bin  →  {dap.BytesWritten} bytes at 0x{dap.Image2Address:x}, signed new, system data erased");

        output.Step(3, Steps, "Power the board on",
            $"No OTA address, so the boot loader starts Default Image 2 at 0xB000. Version 1 sets OTA address 0x80000 and recovery pin {recoveryPin}, " +
            "advertises itself by mDNS and waits for an upload.");
        string? claimed = null;
        var watch = new DemoBoardWatch();
        var options = new VirtualBoardOptions
        {
            FlashPath = flashPath,
            FlashTiming = flashTiming,
            BindAddress = Address,
            Console = new DelegateBoardConsole(line => { output.Board(line); watch.Serial(line); }),
            AdvertiserFactory = () => new ClaimRecordingAdvertiser(
                new MdnsResponder(new MdnsResponderOptions { Interface = MdnsInterface }), name => claimed = name),
        };
        var board = new VirtualBoard(flash, options);
        watch.Attach(board);
        output.Host($"device run --flash board.bin --ip {Address} --interface {MdnsInterface}");
        using var power = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Task.Run(() => board.RunAsync(power.Token), CancellationToken.None);
        try
        {
            await ExpectBootAsync(watch, 3, FlashLayout.DefaultImage2, 1, cancellationToken);

            output.Step(4, Steps, "Find the board by mDNS",
                "As the Arduino IDE does: ask for _arduino._tcp services on the local network. The OTA port is never probed (the board would take that for an upload).");
            string name = claimed ?? SketchDescriptor.DefaultDeviceName;
            if (name != SketchDescriptor.DefaultDeviceName)
                output.Host($"another board already answers to {SketchDescriptor.DefaultDeviceName} here, so ours probed and took \"{name}\"");
            output.Host($"discover --device \"{name}\" --interface {MdnsInterface}");
            var found = await BoardResolver.ResolveAsync(name, MdnsInterface, StepTimeout, cancellationToken)
                ?? throw new CliError(ExitCodes.NotFound, $"demo step 4: the board '{name}' did not answer by mDNS within {StepTimeout.TotalSeconds:0} s");
            output.Host($"found {found.Label}, host {found.Host}, OTA port {found.Port}");
            if (!found.Address.Equals(Address) || found.Port != port)
                throw new CliError(ExitCodes.NotFound, $"demo step 4: '{name}' answered with {found.Address}:{found.Port}, not the demo board's {Address}:{port}");

            output.Step(5, Steps, "Upload version 2 over the air",
                "One TCP connection: a 12-byte header {checksum, 0, length}, then the image. The board writes it at 0x80000, checks the sum, " +
                "signs it new, marks 0xB000 old and reboots into it.");
            output.Host($"upload v2.bin --ip {found.Address} --port {found.Port}");
            await UploadAsync(new IPEndPoint(found.Address, found.Port), v2, cancellationToken);
            await ExpectBootAsync(watch, 5, FlashLayout.DefaultOtaAddress, 2, cancellationToken);

            output.Step(6, Steps, $"Hold the recovery pin ({recoveryPin}) HIGH and press reset",
                $"With pin {recoveryPin} ({pinChip.Name}) at its active level at reset, the boot loader prefers the OLD image: version 1 at 0xB000 comes back.");
            board.Pins[pinChip] = PinLevel.High;
            output.Host($"pin {recoveryPin} high, reset");
            board.Reset();
            await ExpectBootAsync(watch, 6, FlashLayout.DefaultImage2, 1, cancellationToken);

            output.Step(7, Steps, "Release the pin and press reset",
                "The OTA image was never deleted: with the pin released the NEW image at 0x80000 boots again.");
            board.Pins[pinChip] = PinLevel.Low;
            output.Host($"pin {recoveryPin} low, reset");
            board.Reset();
            await ExpectBootAsync(watch, 7, FlashLayout.DefaultOtaAddress, 2, cancellationToken);
        }
        finally
        {
            power.Cancel();
            await running;
        }
    }

    private byte[] MakeImage(string work, string file, SketchDescriptor sketch)
    {
        byte[] image = ImageBuilder.Build(new ImageBuildOptions(sketch));
        File.WriteAllBytes(Path.Combine(work, file), image);
        output.Host($"image make --version {sketch.Version} -o {file}  →  {image.Length} bytes, checksum 0x{Checksum.ByteSum(image):x8}, " +
            $"\"{sketch.DeviceName}\" on port {sketch.Port}{(sketch.AppliesVersion1Settings ? ", applies the version-1 settings" : "")}");
        return image;
    }

    private async Task UploadAsync(IPEndPoint board, byte[] image, CancellationToken cancellationToken)
    {
        try
        {
            var result = await OtaUploader.UploadAsync(board, image, new OtaUploadOptions { ConnectTimeout = StepTimeout }, cancellationToken: cancellationToken);
            output.Host($"the board acknowledged {result.BytesSent} bytes + 12-byte header in {UploadText.Duration(result.Duration)}, checksum 0x{result.Header.Checksum:x8}; " +
                "it never answers otherwise, so watch its log");
        }
        catch (OtaUploadException e)
        {
            throw new CliError(e.Failure == OtaUploadFailure.Interrupted ? ExitCodes.Cancelled : e.IsConnectFailure ? ExitCodes.CannotConnect : ExitCodes.TransferFailed,
                $"demo step 5: {e.Message}");
        }
    }

    /// <summary>Waits for the next boot and checks its decision and the version the sketch printed.</summary>
    private async Task ExpectBootAsync(DemoBoardWatch watch, int step, uint address, uint version, CancellationToken cancellationToken)
    {
        var next = await watch.NextBootAsync(StepTimeout, cancellationToken)
            ?? throw new CliError(ExitCodes.NoReboot, $"demo step {step}: the board did not boot and listen again within {StepTimeout.TotalSeconds:0} s");
        var booted = next.Boot.ChosenAddress;
        if (!next.Boot.Started || booted != address)
            throw new CliError(ExitCodes.BootFailed,
                $"demo step {step}: the boot loader chose {(booted is null ? "nothing" : $"0x{booted:x}")}, expected 0x{address:x} ({next.Boot.Reason})");
        string versionLine = BasicOtaSketch.VersionLine(version);
        if (!next.SketchLines.Contains(versionLine))
            throw new CliError(ExitCodes.BootFailed, $"demo step {step}: the board booted 0x{address:x} but did not print \"{versionLine}\"");
        output.Host($"ok: {next.Boot.Reason}; running version {version}");
    }
}
