using AmebaOta.Images;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Pull;

/// <summary>Many boards pulling from one <c>serve</c> at once: a <c>device farm</c> of 50 CloudOTA boards, every one updated.</summary>
public class PullFarmTests
{
    [Fact]
    public async Task Fifty_boards_pull_from_one_serve_at_once_and_all_boot_the_new_image()
    {
        const int count = 50;
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 32 * 1024));
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin");
        File.WriteAllBytes(dir.File("v1.bin"), PullImages.Image(1, SketchMode.Cloud, serve.HttpServer));

        await using var farm = FarmProcess.Start(dir.Path, "--count", count.ToString(), "--image", "v1.bin", "--dir", "boards",
            "--base-ip", FarmProcess.UniqueBaseIp());
        await farm.Serial.WaitForAsync(l => l.EndsWith("] This is version 2", StringComparison.Ordinal), "every board's new version", count,
            TimeSpan.FromSeconds(90));
        var updated = farm.Serial.Lines.Where(l => l.EndsWith("] This is version 2", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(']')]).Distinct();
        Assert.Equal(count, updated.Count());
        Assert.Equal(count, farm.Serial.Lines.Count(l => l.EndsWith("] OTA success", StringComparison.Ordinal)));
        await serve.Serial.WaitForAsync(l => l.Contains("cloud-image") && l.Contains("stayed to the end"), "the downloads", count);
        // Each board came from its own address.
        var boards = serve.Serial.Lines.Where(l => l.Contains("cloud-image")).Select(l => l[..l.IndexOf(':')]).Distinct();
        Assert.Equal(count, boards.Count());
    }
}
