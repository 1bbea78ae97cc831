using System.Diagnostics;
using System.Net;
using AmebaOta.Cli.Commands;
using AmebaOta.Cli.Output;
using AmebaOta.Device;
using AmebaOta.Device.Families.AmebaD;
using AmebaOta.Discovery;
using AmebaOta.Families;
using AmebaOta.Families.AmebaD;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;

namespace AmebaOta.Cli.Demo;

/// <summary>
/// The AmebaD OTA tutorial (Realtek's "AmebaD Arduino OTA" guide, OTA_Basic) on a virtual board, loopback only: build the
/// images and <c>OTA_All.bin</c> without ImageTool, upload version 1 by USB, boot from OTA1, find the board by mDNS
/// (advertised on 5000, listening on 8082), update it over the air into OTA2, then the USB-after-OTA trap (a USB upload
/// written to OTA1 and never booted) and its fix over the air. Every boot decision is checked; a wrong one (or a step
/// that never happens) ends the demo with a <see cref="CliError"/>.
/// </summary>
public sealed class AmebaDTutorialDemo(DemoOutput output, FlashTiming flashTiming) : ITutorialDemo
{
    private const int Steps = 7;
    private const string MdnsInterface = "lo";
    private static readonly IPAddress Address = IPAddress.Loopback;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private static readonly PushSender Sender = BoardFamilies.AmebaD.Push!;

    /// <summary>The updates' size: enough sectors for the erase before the first byte is read to show (about 2 s on typical flash).</summary>
    private const int UpdateSize = 192 * 1024;

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
        output.Done($"demo finished in {clock.Elapsed.TotalSeconds:0.0} s: all four boots chose the bank the tutorial says they would");
    }

    private async Task RunInAsync(string work, CancellationToken cancellationToken)
    {
        int port = DemoPort.Choose(Address, AmebaDFamily.OtaPort);

        output.Step(1, Steps, "Build the firmware, and OTA_All.bin without ImageTool",
            "Versions 1, 2 and 3 of the OTA_Basic example as the Arduino build leaves them (km0_km4_image2.bin: a KM0 then a KM4 image), " +
            "and version 2 as OTA_All.bin, the file a board takes over the air (a 32-byte header, then the image), which Realtek makes only with its Windows ImageTool.");
        var v1 = MakeImage(work, "v1.bin", 1);
        var v2 = MakeImage(work, "v2.bin", 2, UpdateSize);
        var v3 = MakeImage(work, "v3.bin", 3, UpdateSize);
        var otaAll = v2.ToOtaAll();
        File.WriteAllBytes(Path.Combine(work, "OTA_All.bin"), otaAll.Bytes);
        var header = otaAll.Header!.Value;
        output.Host($"image ota-all v2.bin -o OTA_All.bin  →  {otaAll.Length} bytes: id {header.IdText}, checksum 0x{header.Checksum:x8}, image {header.ImgLen} bytes at offset {header.Offset}");

        output.Step(2, Steps, "Upload version 1 by USB",
            "The USB upload writes the KM0 and KM4 boot images and the sketch into OTA1 (0x08006000); OTA2 (0x08106000) stays empty.");
        string flashPath = Path.Combine(work, "bw16.bin");
        var flash = AmebaDBlankChip.Create(AmebaDFlashLayout.ChipSize);
        var usb = AmebaDUsbUpload.Write(flash, v1);
        FlashFile.Save(flash, flashPath);
        output.Host($"flash create --family amebad bw16.bin && flash dap bw16.bin v1.bin  →  {usb.BytesWritten} bytes into OTA1");

        output.Step(3, Steps, "Power the board on",
            "The boot loader boots the bank whose first bytes are the signature 81958711, OTA2 when both are valid: here only OTA1 is. " +
            $"OTA_Basic joins Wi-Fi, advertises MyAmeba on port 5000 and listens for an update on port {AmebaDFamily.OtaPort}.");
        if (port != AmebaDFamily.OtaPort) output.Host($"port {AmebaDFamily.OtaPort} is taken on this machine; the board listens on {port}");
        output.Host($"the sketch's own waits (10 s after WiFi.begin, 3 s to register mDNS) are shortened to {SketchDelaysOption.Short.ConnectWait.TotalMilliseconds:0} ms here; the flash keeps {flashTiming} time");
        string? claimed = null;
        var watch = new DemoBoardWatch();
        var options = new VirtualBoardOptions
        {
            FlashPath = flashPath,
            FlashTiming = flashTiming,
            BindAddress = Address,
            PortOverride = port == AmebaDFamily.OtaPort ? null : port,
            Family = AmebaDVirtualFamily.Instance,
            ReceiveTimeout = AmebaDVirtualFamily.Instance.DefaultReceiveTimeout,
            Timing = SketchDelaysOption.Short,
            Console = new DelegateBoardConsole(line => { output.Board(line); watch.Serial(line); }),
            AdvertiserFactory = () => new ClaimRecordingAdvertiser(
                new MdnsResponder(new MdnsResponderOptions { Interface = MdnsInterface }), name => claimed = name),
        };
        var board = new VirtualBoard(flash, options);
        watch.Attach(board);
        output.Host($"device run --flash bw16.bin --ip {Address} --interface {MdnsInterface}");
        var power = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Task.Run(() => board.RunAsync(power.Token), CancellationToken.None);
        try
        {
            await ExpectBootAsync(watch, 3, OtaBank.Ota1, 1, cancellationToken);

            output.Step(4, Steps, "Find the board by mDNS",
                "As the Arduino IDE does. It advertises port 5000, but OTA_Basic listens on its OTA_PORT, 8082: the host sends there, whatever the advertisement says.");
            string name = claimed ?? SketchDescriptor.DefaultDeviceName;
            if (name != SketchDescriptor.DefaultDeviceName)
                output.Host($"another board already answers to {SketchDescriptor.DefaultDeviceName} here, so ours probed and took \"{name}\"");
            output.Host($"discover --device \"{name}\" --interface {MdnsInterface}");
            var found = await BoardResolver.ResolveAsync(name, MdnsInterface, TimeSpan.FromSeconds(15), cancellationToken)
                ?? throw new CliError(ExitCodes.NotFound, $"demo step 4: the board '{name}' did not answer by mDNS within 15 s");
            output.Host($"found {found.Label}, port {found.Port}, TXT board={found.Board}: {found.Family?.DisplayName ?? "unknown family"}");
            if (Sender.PortNote(found.Port) is { } note) output.Host(note);
            if (found.Family != BoardFamilies.AmebaD || !found.Address.Equals(Address))
                throw new CliError(ExitCodes.NotFound, $"demo step 4: '{name}' answered as {found.Board} at {found.Address}, not the demo's AmebaD board at {Address}");
            var target = new IPEndPoint(found.Address, port);

            output.Step(5, Steps, "Update to version 2 over the air",
                "The 12 bytes {sum, 0, length}, then OTA_All.bin, to port 8082. The board erases the bank it does not run (OTA2), writes the image holding back its " +
                "first 8 bytes, checks the sum, writes the signature last, clears OTA1's, closes the connection and reboots: the wire says no more than that.");
            output.Host($"upload OTA_All.bin --device {name}" + (port == AmebaDFamily.OtaPort ? "" : $" --port {port}"));
            await UploadAsync(5, target, Sender.Prepare(otaAll), cancellationToken);
            await ExpectBootAsync(watch, 5, OtaBank.Ota2, 2, cancellationToken);

            output.Step(6, Steps, "Upload version 3 by USB: the USB-after-OTA trap",
                "A USB upload always writes OTA1. OTA2 still holds version 2 with a valid signature, and the boot loader prefers OTA2 whenever it is valid: " +
                "version 3 is written, and never booted.");
            await power.CancelAsync();
            await running;
            power.Dispose();
            output.Host("power off");
            flash = FlashFile.Load(flashPath);
            AmebaDUsbUpload.Write(flash, v3);
            FlashFile.Save(flash, flashPath);
            var trap = AmebaDBootLoader.Boot(flash);
            output.Host("flash dap bw16.bin v3.bin  →  version 3 in OTA1");
            output.Host($"flash boot bw16.bin  →  {trap.Reason}");
            if (trap.Ota1Shadowed) output.Host($"warning: {AmebaDBootResult.TrapFix}");
            power = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            watch = new DemoBoardWatch();
            var second = watch;
            board = new VirtualBoard(flash, options with { Console = new DelegateBoardConsole(line => { output.Board(line); second.Serial(line); }) });
            watch.Attach(board);
            output.Host("power on");
            var token = power.Token;
            running = Task.Run(() => board.RunAsync(token), CancellationToken.None);
            await ExpectBootAsync(watch, 6, OtaBank.Ota2, 2, cancellationToken);

            output.Step(7, Steps, "Update to version 3 over the air: the trap undone",
                "The board runs OTA2, so the update goes to OTA1 and clears OTA2's signature: the next boot takes OTA1 and runs version 3. " +
                "(Erasing the whole flash before a USB upload also works: Tools > Erase All Flash Memory.)");
            output.Host($"upload v3.bin --device {name}" + (port == AmebaDFamily.OtaPort ? "" : $" --port {port}"));
            await UploadAsync(7, target, Sender.Prepare(v3), cancellationToken);
            await ExpectBootAsync(watch, 7, OtaBank.Ota1, 3, cancellationToken);
        }
        finally
        {
            await power.CancelAsync();
            await running;
            power.Dispose();
        }
    }

    private AmebaDImageFile MakeImage(string work, string file, uint version, int? size = null)
    {
        var sketch = new SketchDescriptor(version, Port: AmebaDFamily.OtaPort, RecoveryPin: Pins.RecoveryPin.Unused, Board: BoardKind.Rtl8721d);
        byte[] bytes = AmebaDImageBuilder.Build(new AmebaDImageBuildOptions(sketch, size));
        File.WriteAllBytes(Path.Combine(work, file), bytes);
        output.Host($"image make --family amebad --version {version}{(size is { } s ? $" --size {s / 1024}K" : "")} -o {file}  →  {bytes.Length} bytes, checksum 0x{Checksum.ByteSum(bytes):x8}, " +
            $"\"{sketch.DeviceName}\" advertised on port {AmebaDFamily.AdvertisedPort}, listening on {sketch.Port}");
        return AmebaDImageFile.Parse(bytes);
    }

    private async Task UploadAsync(int step, IPEndPoint board, PushImage image, CancellationToken cancellationToken)
    {
        foreach (var note in image.Notes) output.Host(note);
        try
        {
            var result = await Sender.SendAsync(board, image, new OtaUploadOptions { ConnectTimeout = StepTimeout }, cancellationToken: cancellationToken);
            output.Host($"the board acknowledged {result.BytesSent} bytes + 12-byte header in {UploadText.Duration(result.Duration)}" +
                (result.EraseWait is { } erase ? $" (board erase {UploadText.Duration(erase)})" : "") + $"; {Sender.WhileWaiting(result)}");
        }
        catch (OtaUploadException e)
        {
            throw new CliError(e.Failure == OtaUploadFailure.Interrupted ? ExitCodes.Cancelled : e.IsConnectFailure ? ExitCodes.CannotConnect : ExitCodes.TransferFailed,
                $"demo step {step}: {Sender.Explain(e)}");
        }
    }

    /// <summary>Waits for the next boot and checks the bank it chose and the version of the sketch it runs.</summary>
    private async Task ExpectBootAsync(DemoBoardWatch watch, int step, OtaBank bank, uint version, CancellationToken cancellationToken)
    {
        var next = await watch.NextBootAsync(StepTimeout, cancellationToken)
            ?? throw new CliError(ExitCodes.NoReboot, $"demo step {step}: the board did not boot and listen again within {StepTimeout.TotalSeconds:0} s");
        var boot = next.Boot as AmebaDBootResult;
        if (boot is null || !boot.Started || boot.Bank != bank)
            throw new CliError(ExitCodes.BootFailed, $"demo step {step}: the boot loader chose {boot?.Bank?.ToString() ?? "nothing"}, expected {OtaBanks.Name(bank)} ({next.Boot.Reason})");
        if (boot.Sketch?.Version != version)
            throw new CliError(ExitCodes.BootFailed, $"demo step {step}: the board booted {OtaBanks.Name(bank)} but runs version {boot.Sketch?.Version}, not {version}");
        output.Host($"ok: {boot.Reason}; {OtaBanks.Name(bank)} runs version {version}");
    }
}
