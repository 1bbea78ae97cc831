using System.Diagnostics;
using System.Net;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Families.AmebaD.Push;
using AmebaOta.Flash;
using AmebaOta.Tests.Families.AmebaD;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.RealTime;

/// <summary>
/// One AmebaD update per flash profile, in real time, against <c>device run</c> as a process: the board erases
/// <c>ceil(ImgLen / 4096)</c> sectors before it reads the image, writes 12 bytes per program command and reads the bank
/// back, taking what the model (<see cref="AmebaDOtaTime"/>) says, and the push reaches the board's close in that time.
/// </summary>
public sealed class AmebaDRealTimeTests
{
    [Theory]
    [InlineData("typical", 256 * 1024)]
    [InlineData("slow", 64 * 1024)]
    public async Task A_push_takes_the_flash_time_the_model_gives_and_the_board_boots_the_new_bank(string profile, int size)
    {
        using var dir = new TempDir();
        FlashFile.Save(AmebaDImages.ChipWith(AmebaDImages.Image(1)), dir.File("bw16.bin"));
        var ota = AmebaDImages.OtaAll(2, size);
        var model = AmebaDOtaTime.Estimate(AmebaDFlashTiming.Profiles.Single(p => p.Name == profile), size);
        await using var board = DeviceProcess.Start(dir.Path, "--flash", "bw16.bin", "--port", "0", "--no-mdns", "--sketch-delays", "short", "--flash-timing", profile);
        int port = await board.WaitForPortAsync();
        await board.Serial.WaitForAsync("Waiting for client ...");

        var clock = Stopwatch.StartNew();
        var push = AmebaDRawSender.SendAsync(new IPEndPoint(IPAddress.Loopback, port), ota);
        string status = await board.StatusUntilAsync(s => s.Contains("OTA: erasing"));
        Assert.Matches($@"OTA: erasing sector \d+ of {size / 4096}", status);
        Assert.Equal(0, await push);   // the board took everything and closed, sending nothing
        var elapsed = clock.Elapsed;
        await board.Serial.WaitForAsync(AmebaDBootLoader.Ota2Use, timeout: TimeSpan.FromSeconds(10));

        // The board closes 100 ms after "Ready to reboot"; the watchdog fires 50 ms later.
        var flashTime = model.Erase + model.Write + model.Verify + TimeSpan.FromMilliseconds(100);
        Assert.True(elapsed >= flashTime * 0.97, $"the update took {elapsed}, less than the flash alone needs ({flashTime})");
        Assert.True(elapsed < flashTime + TimeSpan.FromSeconds(3), $"the update took {elapsed}, far more than the model's {flashTime}");
        Assert.Contains($"Update file size: {size} bytes, start addr:08106000", board.Serial.Lines);
    }
}
