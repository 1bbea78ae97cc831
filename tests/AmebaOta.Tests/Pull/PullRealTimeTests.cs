using System.Diagnostics;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Protocol.Serving;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// Each pull client takes the flash's real time: with datasheet-typical timing, the erase and the word-by-word
/// <c>flash_stream_write</c> of the image cannot finish faster than the model says (a client that forgot to wait for the
/// chip would), and <c>serve</c> sees the download last as long, since it follows what the board acknowledged.
/// </summary>
public class PullRealTimeTests
{
    public static TheoryData<string> Modes => ["cloud", "sdk-local", "sdk-http"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_pull_at_typical_flash_timing_takes_at_least_the_modelled_erase_and_write(string modeName)
    {
        Assert.True(SketchModes.TryParse(modeName, out var mode));
        const int size = 64 * 1024;
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, size));
        await using var serve = await InProcessServe.StartAsync(dir.File("v2.bin"));
        var download = new TaskCompletionSource<PullTransfer>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve.Activity.Ended += t => { if (t.Protocol is "cloud-image" or "sdk-http" or "sdk-local") download.TrySetResult(t); };
        var v1 = PullImages.Image(1, mode, mode == SketchMode.SdkLocal ? serve.TcpServer : serve.HttpServer);

        // What the board downloads: the image, plus the checksum trailer on the SDK paths.
        long length = mode == SketchMode.Cloud ? size : size + PullImage.TrailerSize;
        var model = OtaTimeEstimate.Typical(length);
        string beforeErase = mode switch
        {
            SketchMode.Cloud => $"Erase {size} from 524288",
            SketchMode.SdkLocal => $"[update_ota_erase_upg_region] NewImg2Len {length}  ",
            _ => $"[http_update_ota] Download new firmware begin, total size : {length}",
        };
        string success = mode == SketchMode.Cloud ? "OTA success" : "[update_ota_checksum] Update OTA success!";

        await using var board = new BoardHarness(dir, v1, o => o with { FlashTiming = FlashTiming.Typical });
        await board.Serial.WaitForAsync(l => l.TrimStart('.') == beforeErase, "the line before the erase", timeout: TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        await board.Serial.WaitForAsync(l => l.TrimStart('.') == success, "the success line", timeout: TimeSpan.FromSeconds(60));
        var took = clock.Elapsed;
        var transfer = await download.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var floor = (model.Erase + model.Program) * 0.95;
        Assert.True(took >= floor, $"{modeName}: erase to success took {took.TotalSeconds:0.000} s, under the model's {floor.TotalSeconds:0.000} s");
        Assert.True(took < model.Total + TimeSpan.FromSeconds(20), $"{modeName}: {took.TotalSeconds:0.000} s");
        Assert.Equal(PullTransferOutcome.Completed, transfer.Outcome);
        Assert.Equal(length, transfer.BoardBytes);
        // The server's download lasted while the board erased and wrote: it followed acknowledgements, not its own buffers.
        Assert.True(transfer.Elapsed >= floor * 0.9, $"{modeName}: the server saw the download end after {transfer.Elapsed.TotalSeconds:0.000} s");
    }
}
