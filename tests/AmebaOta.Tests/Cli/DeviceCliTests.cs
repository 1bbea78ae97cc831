using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary><c>ameba-ota device run</c> as a real process: failure paths leave the old image booting; notes; clean shutdown.</summary>
public class DeviceCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task PrepareBoard(TempDir dir, byte[] image)
    {
        File.WriteAllBytes(dir.File("v1.bin"), image);
        Assert.Equal(0, (await Run(dir, "flash", "create", "board.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "flash", "dap", "board.bin", "v1.bin")).ExitCode);
    }

    private static async Task AssertOldImageBoots(TempDir dir)
    {
        var boot = await Run(dir, "flash", "boot", "board.bin");
        Assert.Equal(0, boot.ExitCode);
        Assert.Contains("load NEW fw 0", boot.Lines);
        Assert.Contains("Flash Image2:Addr 0xb000, Len 56, Load to SRAM 0x10006000", boot.Lines);
    }

    [Fact]
    public async Task A_wrong_checksum_fails_the_ota_the_sketch_idles_refusing_uploads_and_the_old_image_still_boots()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir, TestImages.Image(1));
        var v2 = TestImages.Image(2, 20_000);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0");
        int port = await device.WaitForPortAsync();
        using (var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, port)))
        {
            await client.SendHeaderAsync(12345, (uint)v2.Length);
            await client.SendAsync(v2);
            client.Close();
        }
        await device.Serial.WaitForAsync("OTA failed!!");
        Assert.Equal(["OTA fail", "OTA failed!!"], device.Serial.Lines[^2..]);
        Assert.StartsWith("Bad checksum:", device.Serial.Lines[^3]);

        // ota_basic never listens again until reset: the host knows it cannot connect.
        File.WriteAllBytes(dir.File("v2.bin"), v2);
        var upload = await Run(dir, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", port.ToString());
        Assert.Equal(4, upload.ExitCode);

        Assert.Equal(0, await device.StopAsync());
        await AssertOldImageBoots(dir);
    }

    [Fact]
    public async Task A_silent_client_times_out_after_the_settable_receive_timeout_and_the_old_image_still_boots()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir, TestImages.Image(1));
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--receive-timeout", "0.3");
        int port = await device.WaitForPortAsync();
        using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, port));
        await device.Serial.WaitForAsync("OTA failed!!");
        Assert.Equal([OtaReceiverLog.ReadOtaInfo, OtaReceiverLog.FailToReadOtaInfo, "OTA fail", "OTA failed!!"], device.Serial.Lines[^4..]);
        Assert.Equal(0, await device.StopAsync());
        await AssertOldImageBoots(dir);
    }

    [Fact]
    public async Task An_invalid_ota_address_is_reported_and_nothing_listens()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir, TestImages.Image(1, v1Settings: false));
        Assert.Equal(0, (await Run(dir, "flash", "set-ota-address", "board.bin", "0x80001")).ExitCode);
        await using var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0");
        await device.Serial.WaitForAsync("OTA failed!!");
        Assert.Equal(["Invalid OTA address: 00080001", "OTA fail", "OTA failed!!"], device.Serial.Lines[^3..]);
        Assert.DoesNotContain(device.Notes.Lines, l => l.Contains("listening"));
        Assert.Equal(0, await device.StopAsync());
    }

    [Fact]
    public async Task An_arm_image_idles_with_a_note_and_default_sketch_runs_ota_basic_instead()
    {
        using var dir = new TempDir();
        var arm = TestImages.Image(1);
        arm.AsSpan(16 + 16, 8).Clear();  // no sketch descriptor magic: real ARM code as far as the board knows
        await PrepareBoard(dir, arm);

        await using (var plain = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0"))
        {
            await plain.Notes.WaitForAsync(l => l.Contains("cannot run"), "the ARM-code note");
            Assert.Equal("===== Enter Image 2 ====", plain.Serial.Lines[^1]);
        }

        await using var withDefault = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--default-sketch");
        await withDefault.Serial.WaitForAsync("Wait for client");
        Assert.Contains("This is version 0", withDefault.Serial.Lines);
    }

    [Fact]
    public async Task After_an_ota_the_recovery_pin_held_high_boots_the_old_image_and_released_boots_the_new_one()
    {
        using var dir = new TempDir();
        await PrepareBoard(dir, TestImages.Image(1));
        await using (var device = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0"))
        {
            int port = await device.WaitForPortAsync();
            await OtaUploader.UploadAsync(new(System.Net.IPAddress.Loopback, port), TestImages.Image(2, 10_000));
            await device.Serial.WaitForAsync("This is version 2");
            Assert.Equal(0, await device.StopAsync());
        }

        await using (var held = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0", "--pin", "18=high"))
        {
            await held.Serial.WaitForAsync("Wait for client");
            Assert.Contains("load OLD fw 0", held.Serial.Lines);
            Assert.Contains("This is version 1", held.Serial.Lines);
        }

        await using var released = DeviceProcess.Start(dir.Path, "--flash", "board.bin", "--port", "0");
        await released.Serial.WaitForAsync("Wait for client");
        Assert.Contains("load NEW fw 1", released.Serial.Lines);
        Assert.Contains("This is version 2", released.Serial.Lines);
    }

    [Fact]
    public async Task A_flash_file_of_the_wrong_size_is_a_one_line_error()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("board.bin"), new byte[1000]);
        var run = await Run(dir, "device", "run", "--flash", "board.bin");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", run.Stderr);
    }
}
