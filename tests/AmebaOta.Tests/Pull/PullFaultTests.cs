using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families.Ameba1.Pull.Board;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// Each <c>serve --fault</c> against the client it breaks, with the stock outcome: flashed then rejected, failed, or hung
/// until a reset; afterwards the old image still boots (except where the stock code destroys the chip, which is shown too).
/// </summary>
public class PullFaultTests
{
    private static readonly byte[] V2 = TestImages.Image(2, 64 * 1024);

    private static async Task<(TempDir Dir, ServeProcess Serve)> ServeAsync(string fault, params string[] more)
    {
        var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), V2);
        return (dir, await ServeProcess.StartAsync(dir.Path, "v2.bin", ["--fault", fault, .. more]));
    }

    private static async Task AssertOldImageBootsAsync(TempDir dir)
    {
        var (boot, version) = await PullImages.FlashBootAsync(dir, dir.File("board.bin"));
        Assert.Equal(0, boot.ExitCode);
        Assert.Contains("Flash Image2:Addr 0xb000, Len ", boot.Stdout);
        Assert.Equal(1u, version);
    }

    [Fact]
    public async Task A_404_page_is_flashed_by_CloudOTA_then_rejected_by_its_checksum()
    {
        var (dir, serve) = await ServeAsync("404");
        using (dir)
        await using (serve)
        {
            await using (var board = new BoardHarness(dir, PullImages.Image(1, SketchMode.Cloud, serve.HttpServer)))
            {
                await board.Serial.WaitForAsync("FAIL", timeout: TimeSpan.FromSeconds(30));
                var log = board.Serial.ToString();
                Assert.Contains("Got status code2: 404", log);              // printed, never checked
                Assert.Contains("Erase 118 from 524288", log);             // the page's length
                Assert.Contains("Checksum Error", log);
                Assert.Contains("OTA fail", log);
                Assert.Equal(0, board.Serial.Count("This is version 2"));
                await board.PowerOffAsync();
            }
            await AssertOldImageBootsAsync(dir);
        }
    }

    [Fact]
    public async Task A_404_fails_http_update_ota_before_it_touches_the_image_region()
    {
        var (dir, serve) = await ServeAsync("404");
        using (dir)
        await using (serve)
        {
            await using (var board = new BoardHarness(dir, PullImages.Image(1, SketchMode.SdkHttp, serve.HttpServer)))
            {
                await board.Serial.WaitForAsync("[http_update_ota_task] Update task exit", timeout: TimeSpan.FromSeconds(30));
                Assert.Contains("[parse_http_response] The http response status code is 404", board.Serial.Lines);
                Assert.DoesNotContain(board.Serial.Lines, l => l.Contains("Ready to reboot"));
                await board.PowerOffAsync();
            }
            await AssertOldImageBootsAsync(dir);
        }
    }

    [Fact]
    public async Task Lowercase_content_length_fails_http_update_ota_and_makes_CloudOTA_erase_the_whole_chip()
    {
        var (dir, serve) = await ServeAsync("lowercase-length");
        using (dir)
        await using (serve)
        {
            await using (var board = new BoardHarness(dir, PullImages.Image(1, SketchMode.SdkHttp, serve.HttpServer)))
            {
                await board.Serial.WaitForAsync("[http_update_ota_task] Update task exit", timeout: TimeSpan.FromSeconds(30));
                Assert.Contains("[parse_http_response] No Content-Length in header", board.Serial.Lines);
                await board.PowerOffAsync();
            }
            await AssertOldImageBootsAsync(dir);

            File.Delete(dir.File("board.bin"));
            await using (var board = new BoardHarness(dir, PullImages.Image(1, SketchMode.Cloud, serve.HttpServer)))
            {
                await board.Serial.WaitForAsync("Erase 0 from 524288", timeout: TimeSpan.FromSeconds(30));
                await board.Serial.WaitForAsync("FAIL", timeout: TimeSpan.FromSeconds(60));
                await board.PowerOffAsync();
            }
            // (0 - 1) / 4096 + 1 sectors from 0x80000 wrap round the chip: Image 1, system data, both images are gone.
            var flash = FlashFile.Load(dir.File("board.bin"));
            Assert.Equal(0xFFFFFFFFu, flash.ReadU32(0));
            var (boot, _) = await PullImages.FlashBootAsync(dir, dir.File("board.bin"));
            Assert.Equal(3, boot.ExitCode);
        }
    }

    [Fact]
    public async Task A_status_line_without_reason_phrase_fails_http_update_ota_silently_but_not_CloudOTA()
    {
        var (dir, serve) = await ServeAsync("no-reason");
        using (dir)
        await using (serve)
        {
            await using (var board = new BoardHarness(dir, PullImages.Image(1, SketchMode.SdkHttp, serve.HttpServer)))
            {
                await board.Serial.WaitForAsync("[http_update_ota_task] Update task exit", timeout: TimeSpan.FromSeconds(30));
                Assert.DoesNotContain(board.Serial.Lines, l => l.Contains("Download new firmware begin"));
                await board.PowerOffAsync();
            }
            await AssertOldImageBootsAsync(dir);

            File.Delete(dir.File("board.bin"));
            await using var cloud = new BoardHarness(dir, PullImages.Image(1, SketchMode.Cloud, serve.HttpServer));
            await cloud.Serial.WaitForAsync("This is version 2", timeout: TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task A_body_cut_short_by_FIN_hangs_http_update_ota_until_reset_and_fails_update_ota_local()
    {
        var (dir, serve) = await ServeAsync("close-early");
        using (dir)
        await using (serve)
        {
            await using (var board = new BoardHarness(dir, PullImages.Image(1, SketchMode.SdkHttp, serve.HttpServer)))
            {
                await board.Notes.WaitForAsync(l => l.Contains("read() returns 0 and the loop goes round forever"), "the hang note", timeout: TimeSpan.FromSeconds(30));
                Assert.DoesNotContain(board.Serial.Lines, l => l.Contains("Update task exit"));
                board.Board.Reset();
                await board.Serial.WaitForAsync("This is version 1", occurrence: 2, timeout: TimeSpan.FromSeconds(30));
                await board.PowerOffAsync();
            }
            await AssertOldImageBootsAsync(dir);

            File.Delete(dir.File("board.bin"));
            await using (var board = new BoardHarness(dir, PullImages.Image(1, SketchMode.SdkLocal, serve.TcpServer)))
            {
                await board.Serial.WaitForAsync("[update_ota_local_task] Update task exit", timeout: TimeSpan.FromSeconds(30));
                Assert.Contains("The checksume is wrong!", board.Serial.Lines);
                Assert.Contains("Read data finished", board.Serial.Lines);
                await board.PowerOffAsync();
            }
            await AssertOldImageBootsAsync(dir);
        }
    }

    [Fact]
    public async Task A_stalled_server_hangs_update_ota_local_forever_and_a_reset_boots_the_old_image()
    {
        var (dir, serve) = await ServeAsync("stall");
        using (dir)
        await using (serve)
        {
            await using (var board = new BoardHarness(dir, PullImages.Image(1, SketchMode.SdkLocal, serve.TcpServer)))
            {
                await board.Serial.WaitForAsync("Start to read data 65540 bytes", timeout: TimeSpan.FromSeconds(30));
                // It never times out: no line comes, however long we wait (a sample of it).
                await Task.Delay(TimeSpan.FromSeconds(1.5));
                Assert.DoesNotContain(board.Serial.Lines, l => l.Contains("Read data finished") || l.Contains("Update task exit"));
                board.Board.Reset();
                await board.Serial.WaitForAsync("This is version 1", occurrence: 2, timeout: TimeSpan.FromSeconds(30));
                await board.PowerOffAsync();
            }
            await AssertOldImageBootsAsync(dir);
            // serve logs the stalled transfer once the board's reset closed it.
            await serve.Serial.WaitForAsync(l => l.Contains("sdk-local (TCP): 32770/65540 bytes") && l.Contains("cut short by --fault stall"), "the stall's log line");
        }
    }

    [Fact]
    public async Task A_slow_body_runs_out_CloudOTAs_deadline_for_the_whole_body()
    {
        // The board's client against the real server, with the deadline shortened from 30 s to 2 s.
        var (dir, serve) = await ServeAsync("slow", "--slow-rate", "8192");
        using (dir)
        await using (serve)
        {
            var flash = TestImages.ChipWith(TestImages.Image(1));
            var lines = new LineLog();
            var serial = new SerialPrinter(lines.Add);
            var client = new CloudOtaClient(new PullBoard(flash, serial, IPAddress.Loopback));
            string host = serve.Http.Address.ToString();
            int checksum = await client.GatherOtaInfoAsync(host, "/check.txt", serve.Http.Port, CancellationToken.None);
            Assert.Equal((int)Checksum.ByteSum(V2), checksum);
            int ret = await client.BeginRemoteAsync(host, "/ota.bin", serve.Http.Port, checksum, TimeSpan.FromSeconds(2), CancellationToken.None);
            serial.Flush();
            Assert.Equal(-1, ret);
            Assert.Contains("Checksum Error", lines.Lines);
            var downloaded = lines.Lines.Single(l => l.StartsWith("Total bytes downloaded = ", StringComparison.Ordinal));
            Assert.InRange(long.Parse(downloaded["Total bytes downloaded = ".Length..]), 1, 40_000);   // about 2 s at 8 KiB/s
        }
    }
}
