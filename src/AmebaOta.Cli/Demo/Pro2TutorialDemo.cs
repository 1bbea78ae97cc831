using System.Globalization;
using System.Net;
using AmebaOta.Cli.Commands;
using AmebaOta.Cli.Commands.OtaUi;
using AmebaOta.Cli.Serve.OtaUi;
using AmebaOta.Device;
using AmebaOta.Device.Families.AmebaPro2;
using AmebaOta.Device.Sketches;
using AmebaOta.Families;
using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.OtaUi.Updates;

namespace AmebaOta.Cli.Demo;

/// <summary>
/// The AmebaPro2 OTA tutorial (Realtek's "OTA" example with the OTA UI server) on a virtual AMB82-mini, loopback only:
/// version 1 by USB into FW1; the board beats its state to this process, which is its OTA UI server; version 2 over the
/// air into FW2; an older build that the board writes and never boots (the boot code runs the newer slot); an update
/// that fails (no image on the server) and leaves the board ignoring triggers until it is reset; the reset and the
/// update that then works. The heartbeats, the trigger and the judge are the real ones, at real speed; only the sketch's
/// Wi-Fi waits are shortened. Every boot decision is checked; a wrong one ends the demo with a <see cref="CliError"/>.
/// </summary>
public sealed class Pro2TutorialDemo(DemoOutput output, FlashTiming flashTiming) : ITutorialDemo
{
    private const int Steps = 7;
    private static readonly IPAddress Address = IPAddress.Loopback;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private static readonly BoardFamily Family = BoardFamilies.AmebaPro2;

    /// <summary>The updates' size: 32 blocks of 4 KiB, each erased and written as it arrives (about a second on typical flash).</summary>
    private const int UpdateSize = 128 * 1024 + Pro2Image.TrailerSize;

    /// <summary>Build times: v3 was built before v2 (another machine, an older checkout), so it is the older build.</summary>
    private static readonly DateTimeOffset BuildBase = new(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);

    public Task RunAsync(CancellationToken cancellationToken) =>
        DemoWorkspace.RunAsync(output, work => RunInAsync(work, cancellationToken), "every boot chose the slot the boot rule says it would, and each update was judged as it went");

    private async Task RunInAsync(string work, CancellationToken cancellationToken)
    {
        int serverPort = DemoPort.Choose(Address, OtaUiServeOptions.DefaultPort);
        int triggerPort = DemoPort.Choose(Address, OtaUiTrigger.Port);
        var server = new IPEndPoint(Address, serverPort);

        output.Step(1, Steps, "Build the firmware",
            "Four builds of the OTA example as the Arduino build leaves them with OTA Mode: Enable (ota.bin: the manifest starting RTL8735B with its VERSION " +
            "and TIMST build stamp, the firmware, the 4-byte byte-sum). The server the board reports to is compiled in. v3 was built an hour before v2.");
        var v1 = MakeImage(work, "v1.bin", 1, server, BuildBase, null);
        var v2 = MakeImage(work, "v2.bin", 2, server, BuildBase.AddHours(3), UpdateSize);
        var v3 = MakeImage(work, "v3.bin", 3, server, BuildBase.AddHours(2), UpdateSize);
        var v4 = MakeImage(work, "v4.bin", 4, server, BuildBase.AddHours(5), UpdateSize);

        output.Step(2, Steps, "Upload version 1 by USB",
            "The USB upload writes the partition table (OTA Mode: Enable: FW1 and FW2, 4 MiB each) and firmware.bin into FW1; FW2 stays empty.");
        string flashPath = Path.Combine(work, "amb82.bin");
        var flash = Pro2BlankChip.Create(otaMode: true);
        var usb = Pro2UsbUpload.Write(flash, v1.Image, otaMode: true);
        FlashFile.Save(flash, flashPath);
        output.Host($"flash create --family amebapro2 --ota-mode on amb82.bin && flash dap amb82.bin v1.bin  →  {usb.BytesWritten} bytes into FW1 at 0x{usb.Slot.Start:x}");

        output.Step(3, Steps, "Power the board on; this machine is its OTA UI server",
            $"The boot code runs the newer valid slot: only FW1 is. The OTA example joins Wi-Fi, then posts its state to the server compiled into it " +
            $"(POST /api/connectedclients, every 3.5 s) and listens for start_ota on TCP {OtaUiTrigger.Port}. It has no mDNS: the server knows it by the address it beats from.");
        await using var session = await OtaUiSession.StartAsync(server, cancellationToken);
        output.Host($"serve --ota-ui --ip {Address} --port {serverPort}  →  listening on {session.Http.EndPoint}");
        if (serverPort != OtaUiServeOptions.DefaultPort) output.Host($"port {OtaUiServeOptions.DefaultPort} is taken on this machine; the demo's server and its images use {serverPort}");
        if (triggerPort != OtaUiTrigger.Port) output.Host($"port {OtaUiTrigger.Port} is taken on this machine; the board listens for start_ota on {triggerPort}");
        output.Host($"the sketch's delay(2000) after WiFi.begin is shortened here; the heartbeats keep their real 3.5 s and the flash keeps {flashTiming} time");
        session.Core.Boards.Beat += beat => output.Host($"heartbeat from {beat.Board.Address}: {beat.Board.StateText}" +
            (beat.Gap is { } gap && gap > OtaUiTiming.Real.HeartbeatPeriod + TimeSpan.FromSeconds(1) ? $" (after {gap.TotalSeconds:0.0} s of silence)" : ""));
        var watch = new DemoBoardWatch();
        var options = new VirtualBoardOptions
        {
            FlashPath = flashPath,
            FlashTiming = flashTiming,
            BindAddress = Address,
            PortOverride = triggerPort == OtaUiTrigger.Port ? null : triggerPort,
            Family = AmebaPro2VirtualFamily.Instance,
            Timing = SketchTiming.Real with { OtaUiWifiBegin = TimeSpan.FromMilliseconds(20) },
            Console = new DelegateBoardConsole(line => { output.Board(line); watch.Serial(line); }),
        };
        var board = new VirtualBoard(flash, options);
        watch.Attach(board);
        output.Host($"device run --family amebapro2 --flash amb82.bin --ip {Address}");
        using var power = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Task.Run(() => board.RunAsync(power.Token), CancellationToken.None);
        var update = new OtaUiUpdateOptions { TriggerPort = triggerPort };
        try
        {
            await ExpectBootAsync(watch, 3, 1, 1, cancellationToken);

            output.Step(4, Steps, "Update to version 2 over the air",
                "The host waits for an IDLE heartbeat, sends start_ota to TCP 5000 (the board echoes it and closes 500 ms later), and serves the image when the " +
                "board asks (GET /api/uploadfile, 200 with its Content-Length). The board erases and writes FW2 a 4 KiB block at a time, writes the label last, " +
                "checks the byte-sum and restarts. Nothing on the wire says which build it then runs: its heartbeats stop, then come back IDLE.");
            Refusals(v2, v1.Image, force: false);
            output.Host($"upload v2.bin --ip {Address}");
            await UpdateAsync(4, session, update, v2, OtaUiResult.Updated, cancellationToken);
            await ExpectBootAsync(watch, 4, 2, 2, cancellationToken);

            output.Step(5, Steps, "An older build: written, and never booted",
                "v3 was built before v2. The board takes it into FW1 (the slot it does not run) as readily as any image, and restarts; but its boot code " +
                "compares the manifests (VERSION, then TIMST) and runs the newer slot: v2 again. The host refuses such an image before it triggers " +
                "(it knows from the history what the board runs); --force sends it anyway, as here.");
            Refusals(v3, v2.Image, force: true);
            output.Host($"upload v3.bin --ip {Address} --force");
            await UpdateAsync(5, session, update, v3, OtaUiResult.Updated, cancellationToken);
            var shadowed = await ExpectBootAsync(watch, 5, 2, 2, cancellationToken);
            output.Host($"flash boot amb82.bin  →  FW1: {shadowed.Fw1?.Stamp}, FW2: {shadowed.Fw2?.Stamp}: FW2 is newer, v3 is never booted");

            output.Step(6, Steps, "A failed update: the board is stuck until it is reset",
                "start_ota with no image on the server: the board asks for it, this server answers 404 (Realtek's answers 200 with a chunked JSON error body, " +
                "which the board refuses: No Content-Length in header), the update fails and the board keeps v2. Its library then reports DOWNLOAD_FIRMWARE_COMPLETED for good, " +
                "and acts on start_ota only when IDLE: every trigger is ignored until the board is reset.");
            output.Host($"a start_ota to {Address}:{OtaUiTrigger.Port} with no image served");
            await FailWithoutImageAsync(session, triggerPort, cancellationToken);
            output.Host($"upload v4.bin --ip {Address}");
            await UpdateAsync(6, session, update, v4, OtaUiResult.NotStarted, cancellationToken);

            output.Step(7, Steps, "Reset the board, then update to version 4",
                "The reset button: the boot code runs v2 again (FW2), the library starts IDLE, and the update goes into FW1 over the older v3. v4 is the newest " +
                "build, so the boot code now runs FW1.");
            output.Host("reset");
            board.Reset();
            await ExpectBootAsync(watch, 7, 2, 2, cancellationToken);
            await WaitForStateAsync(session, OtaUiState.Idle, 7, cancellationToken);
            output.Host($"upload v4.bin --ip {Address}");
            await UpdateAsync(7, session, update, v4, OtaUiResult.Updated, cancellationToken);
            await ExpectBootAsync(watch, 7, 1, 4, cancellationToken);
        }
        finally
        {
            await power.CancelAsync();
            await running;
        }
    }

    private (string Name, Pro2Image Image) MakeImage(string work, string file, uint version, IPEndPoint server, DateTimeOffset built, int? size)
    {
        var sketch = new SketchDescriptor(version, Board: BoardKind.Rtl8735b, Mode: SketchMode.OtaHttp, Server: server.ToString());
        var options = new Pro2ImageOptions(sketch, Timestamp: (ulong)built.ToUnixTimeSeconds(), FileSize: size);
        byte[] bytes = Pro2ImageBuilder.Build(options);
        File.WriteAllBytes(Path.Combine(work, file), bytes);
        var image = Pro2Image.Parse(bytes);
        output.Host($"image make --family amebapro2 --version {version} --server {server} --timestamp {built.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}" +
            $"{(size is { } s ? $" --size {s}" : "")} -o {file}  →  {bytes.Length} bytes, manifest {image.Stamp}, trailer 0x{image.Trailer:x8}");
        return (file, image);
    }

    /// <summary>What the host's check before triggering says, given what the board runs.</summary>
    private void Refusals((string Name, Pro2Image Image) candidate, Pro2Image running, bool force)
    {
        var check = Family.CheckOtaUi(candidate.Image, running);
        if (check.Refusals.Count == 0)
            output.Host($"check before triggering: {check.BootsBecause ?? "nothing against it"}");
        else
            output.Host($"check before triggering: refusing {candidate.Name}: {string.Join("; ", check.Refusals)}{(force ? "" : " (--force triggers it anyway)")}");
        if (check.Refusals.Count > 0 != force)
            throw new CliError(ExitCodes.BootFailed, $"demo: the check before triggering {(force ? "passed" : "refused")} {candidate.Name}, which the boot rule says it should not");
    }

    /// <summary>One update by OTA UI, judged; fails the demo when the judge decides otherwise than <paramref name="expected"/>.</summary>
    private async Task UpdateAsync(int step, OtaUiSession session, OtaUiUpdateOptions options, (string Name, Pro2Image Image) image, OtaUiResult expected,
        CancellationToken cancellationToken)
    {
        var served = OtaUiImage.From(image.Image.Bytes, image.Name, force: true);
        var shown = OtaUiStep.WaitingForHeartbeat;
        long lastTenth = -1;
        var outcome = await new OtaUiBoardUpdate(session.Core, Address, served, options).RunAsync(p =>
        {
            if (p.Step != shown)
            {
                shown = p.Step;
                if (p.Step != OtaUiStep.Finished) output.Host($"judge: {OtaUiResults.Word(p.Step)}{(p.State is { } s ? $" (last heartbeat: {s})" : "")}");
            }
            if (p.Step == OtaUiStep.Downloading && p.Total > 0 && p.Acked * 4 / p.Total is var quarter && quarter > lastTenth && quarter < 4)
            {
                lastTenth = quarter;
                output.Host($"served {p.Acked} of {p.Total} bytes");
            }
        }, cancellationToken);
        output.Host($"{outcome.Word}: {OtaUiFleetSender.Explain(outcome, served)}");
        if (outcome.Result != expected)
            throw new CliError(outcome.Result == OtaUiResult.NotStarted ? ExitCodes.CannotConnect : ExitCodes.TransferFailed,
                $"demo step {step}: the judge decided '{outcome.Word}', not '{OtaUiResults.Word(expected)}' ({string.Join("; ", outcome.Evidence)})");
    }

    /// <summary>A trigger while the server has no image: the board's download gets 404 and its state stays COMPLETED.</summary>
    private async Task FailWithoutImageAsync(OtaUiSession session, int triggerPort, CancellationToken cancellationToken)
    {
        await WaitForStateAsync(session, OtaUiState.Idle, 6, cancellationToken);
        var result = await TriggerSender.SendAsync(new IPEndPoint(Address, triggerPort), TimeSpan.FromSeconds(5), cancellationToken);
        output.Host($"start_ota: {result.Outcome.ToString().ToLowerInvariant()}{(result.BoardClosedAfter is { } closed ? $", the board closed {closed.TotalSeconds:0.00} s later" : "")}");
        await WaitForStateAsync(session, OtaUiState.DownloadFirmwareCompleted, 6, cancellationToken);
    }

    /// <summary>Waits for a heartbeat from the board reporting <paramref name="state"/>.</summary>
    private static async Task WaitForStateAsync(OtaUiSession session, OtaUiState state, int step, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnBeat(OtaUiBeat beat)
        {
            if (beat.Board.Address.Equals(Address) && beat.Board.State == state) seen.TrySetResult();
        }
        session.Core.Boards.Beat += OnBeat;
        try
        {
            if (session.Core.Boards.Find(Address) is { Online: true } known && known.State == state) return;
            await seen.Task.WaitAsync(StepTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new CliError(ExitCodes.NoReboot, $"demo step {step}: no heartbeat reporting {OtaUiStates.Name(state)} within {StepTimeout.TotalSeconds:0} s");
        }
        finally
        {
            session.Core.Boards.Beat -= OnBeat;
        }
    }

    /// <summary>Waits for the next boot and checks the slot it chose and the version of the sketch it runs.</summary>
    private async Task<Pro2BootOutcome> ExpectBootAsync(DemoBoardWatch watch, int step, int slot, uint version, CancellationToken cancellationToken)
    {
        var next = await watch.NextBootAsync(StepTimeout, cancellationToken)
            ?? throw new CliError(ExitCodes.NoReboot, $"demo step {step}: the board did not boot and listen for start_ota within {StepTimeout.TotalSeconds:0} s");
        if (next.Boot is not Pro2BootOutcome { Started: true } boot || boot.ChosenSlot != slot)
            throw new CliError(ExitCodes.BootFailed, $"demo step {step}: the boot code chose {(next.Boot as Pro2BootOutcome)?.ChosenSlot?.ToString() ?? "nothing"}, expected FW{slot} ({next.Boot.Reason})");
        if (boot.Sketch?.Version != version)
            throw new CliError(ExitCodes.BootFailed, $"demo step {step}: the board booted FW{slot} but runs version {boot.Sketch?.Version}, not {version}");
        output.Host($"ok: {boot.Reason}; FW{slot} runs version {version}");
        return boot;
    }
}
