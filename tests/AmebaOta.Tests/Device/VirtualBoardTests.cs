using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;
using AmebaOta.Pins;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Device;

public class VirtualBoardTests
{
    private static readonly byte[] V1 = TestImages.Image(1);
    private static readonly byte[] V2 = TestImages.Image(2, 64 * 1024);

    [Fact]
    public async Task Runs_ota_basic_then_an_upload_reboots_it_into_version_2_and_the_file_is_written_back()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, V1);
        var endPoint = await board.WaitForClientAsync();
        await OtaUploader.UploadAsync(endPoint, V2);
        await board.Serial.WaitForAsync("This is version 2");
        await board.WaitForClientAsync(2);

        var lines = board.Serial.Lines;
        int success = Array.IndexOf(lines, "OTA success");
        Assert.Equal(
        [
            "===== Enter Image 1 ====",
            "load NEW fw 0",
            "Flash Image2:Addr 0xb000, Len 56, Load to SRAM 0x10006000",
            "No Image3",
            "Img2 Sign: RTKWin, InfaStart @ 0x10006049",
            "===== Enter Image 2 ====",
            "This is version 1",
            "",
            "Try to connect to yourNetwork",
            "Connected to yourNetwork",
            "Wait for client",  // no "use default OTA address": version 1 has just set it
        ], lines[..11]);
        Assert.Equal(
        [
            "OTA success",
            "===== Enter Image 1 ====",
            "load NEW fw 1",
            $"Flash Image2:Addr 0x80000, Len {V2.Length - 16}, Load to SRAM 0x10006000",
            "No Image3",
            "Img2 Sign: RTKWin, InfaStart @ 0x10006049",
            "===== Enter Image 2 ====",
            "This is version 2",
            "",
            "Try to connect to yourNetwork",
            "Connected to yourNetwork",
            "Wait for client",
        ], lines[success..(success + 12)]);

        var flash = await board.PowerOffAsync();
        Assert.Equal(SignatureState.New, FlashImage.Read(flash, 0x80000).Signature);
        Assert.Equal(SignatureState.Old, FlashImage.Read(flash, 0xB000).Signature);
        Assert.Equal(2u, BootLoader.Boot(flash, PinLevels.AllLow).Booted!.Body.Sketch!.Version);
    }

    [Fact]
    public async Task Version_1_applies_set_ota_address_and_set_recover_pin_and_the_pin_then_recovers_the_old_image()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, V1);
        await OtaUploader.UploadAsync(await board.WaitForClientAsync(), V2);
        await board.WaitForClientAsync(2);
        var system = new SystemData(board.Board.Flash);
        Assert.Equal(0x80000u, system.OtaAddress);
        Assert.Equal(0x0000C5FFu, system.RecoveryPinsWord);  // setRecoverPin: PE_5 | 0x80 in byte 1, byte 0 unused, upper bytes 0

        board.Board.Pins[new ChipPin(0x45)] = PinLevel.High;
        board.Board.Reset();
        await board.Serial.WaitForAsync("This is version 1", 2);
        Assert.Contains("load OLD fw 0", board.Serial.Lines);
    }

    [Fact]
    public async Task A_failed_ota_prints_OTA_failed_and_idles_and_a_reset_boots_the_old_image_again()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, V1);
        var endPoint = await board.WaitForClientAsync();
        using (var client = await RawClient.ConnectAsync(endPoint))
        {
            await client.SendHeaderAsync(0, 0);
            client.Close();
        }
        await board.Serial.WaitForAsync("OTA failed!!");
        Assert.Equal(["OTA image len is 0", "OTA fail", "OTA failed!!"], board.Serial.Lines[^3..]);
        Assert.Equal(1, board.Board.BootCount);

        // Idling: nothing listens until reset.
        var refused = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync(endPoint, V2));
        Assert.Equal(OtaUploadFailure.ConnectionRefused, refused.Failure);

        board.Board.Reset();
        await board.WaitForClientAsync(2);
        Assert.Equal(2, board.Serial.Count("This is version 1"));
        var flash = await board.PowerOffAsync();
        Assert.Equal(FlashLayout.DefaultImage2, BootLoader.Boot(flash, PinLevels.AllLow).Booted!.Address);
    }

    [Fact]
    public async Task A_reset_mid_transfer_drops_the_hosts_connection_and_the_old_image_still_boots()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, V1);
        var endPoint = await board.WaitForClientAsync();
        var image = TestImages.Image(2, 400 * 1024);
        bool pressed = false;
        var progress = new Progress(_ =>
        {
            if (pressed) return;
            pressed = true;
            board.Board.Reset();
            // Hold the sender until the board has rebooted: its old socket is gone, so the next send must fail.
            board.WaitForClientAsync(2).GetAwaiter().GetResult();
        });

        var e = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync(endPoint, image, null, progress));
        Assert.Equal(OtaUploadFailure.Dropped, e.Failure);
        Assert.DoesNotContain("OTA success", board.Serial.Lines);
        Assert.Equal(2, board.Serial.Count("This is version 1"));
        var flash = await board.PowerOffAsync();
        Assert.Equal(FlashLayout.DefaultImage2, BootLoader.Boot(flash, PinLevels.AllLow).Booted!.Address);
    }

    private sealed class Progress(Action<OtaUploadProgress> report) : IProgress<OtaUploadProgress>
    {
        public void Report(OtaUploadProgress value) => report(value);
    }

    [Fact]
    public async Task An_image_without_a_sketch_descriptor_boots_and_idles_with_a_note()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, ArmImage());
        await board.Notes.WaitForAsync(l => l.Contains("cannot run"), "the ARM-code note");
        Assert.Equal("===== Enter Image 2 ====", board.Serial.Lines[^1]);
        Assert.Contains("--default-sketch", board.Notes.Lines[0]);
    }

    [Fact]
    public async Task The_default_sketch_runs_ota_basic_for_an_image_without_a_descriptor()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, ArmImage(), o => o with { DefaultSketch = new SketchDescriptor(0) });
        var endPoint = await board.WaitForClientAsync();
        Assert.Contains("This is version 0", board.Serial.Lines);
        await OtaUploader.UploadAsync(endPoint, V2);
        await board.Serial.WaitForAsync("This is version 2");
    }

    [Fact]
    public async Task The_sketch_starts_mdns_through_the_advertiser_seam_with_the_real_port_and_silences_it_on_reboot()
    {
        using var dir = new TempDir();
        var advertisers = new List<RecordingAdvertiser>();
        await using var board = new BoardHarness(dir, V1, o => o with { AdvertiserFactory = () => { var a = new RecordingAdvertiser(); lock (advertisers) advertisers.Add(a); return a; } });
        var endPoint = await board.WaitForClientAsync();
        var first = advertisers.Single();
        Assert.Equal("MyAmeba", first.Started!.InstanceName);
        Assert.Equal(endPoint.Port, first.Started.Port);
        Assert.Equal(IPAddress.Loopback, first.Started.Address);
        Assert.Equal(ArduinoService.StockTxt, first.Started.Txt);

        await OtaUploader.UploadAsync(endPoint, V2);
        await board.WaitForClientAsync(2);
        Assert.True(first.Silenced);   // a rebooting board cannot say goodbye
        Assert.False(first.Stopped);
        Assert.Equal(2, advertisers.Count);

        await board.PowerOffAsync();
        Assert.True(advertisers[1].Stopped);   // a clean power-off does
        Assert.False(advertisers[1].Silenced);
    }

    /// <summary>An Image 2 as a real build makes it: entry point and RTKWin, then code (no sketch descriptor).</summary>
    private static byte[] ArmImage()
    {
        var image = TestImages.Image(1);
        image.AsSpan(16 + SketchDescriptor.BodyOffset, 8).Fill(0x00);
        return image;
    }

    private sealed class RecordingAdvertiser : IServiceAdvertiser
    {
        public ServiceAdvertisement? Started { get; private set; }
        public bool Stopped { get; private set; }
        public bool Silenced { get; private set; }

        public Task<string> StartAsync(ServiceAdvertisement advertisement, CancellationToken cancellationToken = default)
        {
            Started = advertisement;
            return Task.FromResult(advertisement.InstanceName);
        }

        public Task StopAsync()
        {
            Stopped = true;
            return Task.CompletedTask;
        }

        public Task SilenceAsync()
        {
            Silenced = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
