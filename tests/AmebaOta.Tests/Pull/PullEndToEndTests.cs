using AmebaOta.Images;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Pull;

/// <summary>
/// Each pull protocol end to end on loopback: the real <c>serve</c> process, a virtual board running the stock client of
/// its image, the stock log lines, the reboot into the new image, and <c>flash boot</c> agreeing afterwards.
/// </summary>
public class PullEndToEndTests
{
    private static readonly byte[] V2 = TestImages.Image(2, 64 * 1024);

    public static TheoryData<string> Modes => ["cloud", "sdk-local", "sdk-http"];

    /// <summary>Lines each client prints on the way to success, in order (blank lines and progress dots aside).</summary>
    private static string[] StockLines(SketchMode mode, uint checksum) => mode switch
    {
        SketchMode.Cloud =>
        [
            "Connect to Server successful!", "startedRequest ok", "Got status code1: 200", "Content length is: " + checksum.ToString().Length,
            "Body returned follows:", $"{checksum}info_ok", $"CHECKSUM_OTA:{checksum}", "startedRequest ok", "Got status code2: 200", "-----",
            "Content-Length: 65536", "Erase 65536 from 524288", "Start download", "Write sector 524288...ok", "Write last sector 589824...ok",
            "Total bytes downloaded = 65536", $"image checksum downloaded:{checksum}", $"image checksum in flash:{checksum}", "OTA success",
        ],
        SketchMode.SdkLocal =>
        [
            "[update_ota_local_task] Update task start", "[update_ota_prepare_addr] There is no IMAGE_3",
            "[write_ota_addr_to_system_data] data 0x80000 ota_addr 0x80000", "[update_ota_local_task] Read info first",
            "[update_ota_local_task] info 12 bytes", $"[update_ota_local_task] tx chechsum 0x{checksum:x}, file size 0x10004",
            "[update_ota_erase_upg_region] NewImg2Len 65540  ", "[update_ota_erase_upg_region] NewImg2BlkSize 17  0x      11",
            "[update_ota_erase_upg_region] NewImg2Addr 0x80000", "Start to read data 65540 bytes", "Read data finished",
            $"flash checksum 0x{checksum,8:x} attached checksum 0x{checksum,8:x}", "[update_ota_checksum] signature 35393138,31313738",
            "[update_ota_checksum] Update OTA success!", "[update_ota_local_task] Update task exit", "[update_ota_local_task] Ready to reboot",
        ],
        _ =>
        [
            "[update_ota_prepare_addr] There is no IMAGE_3", "[write_ota_addr_to_system_data] data 0x80000 ota_addr 0x80000",
            "[http_update_ota] Download new firmware begin, total size : 65540", "[update_ota_erase_upg_region] NewImg2Len 65540  ",
            "[update_ota_erase_upg_region] NewImg2BlkSize 17  0x      11", "[http_update_ota] Download new firmware 65540 bytes completed",
            $"flash checksum 0x{checksum,8:x} attached checksum 0x{checksum,8:x}", "[update_ota_checksum] Update OTA success!",
            "[http_update_ota_task] Update task exit", "[http_update_ota_task] Ready to reboot",
        ],
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_board_pulls_the_served_image_with_the_stock_lines_and_boots_it(string modeName)
    {
        Assert.True(SketchModes.TryParse(modeName, out var mode));
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), V2);
        await using var serve = await ServeProcess.StartAsync(dir.Path, "v2.bin");
        var v1 = PullImages.Image(1, mode, PullImages.ServerFor(mode, serve));

        await using (var board = new BoardHarness(dir, v1))
        {
            await board.Serial.WaitForAsync("This is version 2", timeout: TimeSpan.FromSeconds(30));
            uint checksum = Checksum.ByteSum(V2);
            var lines = board.Serial.Lines;
            int at = 0;
            foreach (var expected in StockLines(mode, checksum))
            {
                int found = Array.FindIndex(lines, at, l => l.TrimStart('.') == expected);
                Assert.True(found >= 0, $"missing (in order) \"{expected}\"\n{board.Serial}");
                at = found + 1;
            }
            Assert.Equal(1, board.Serial.Count("===== Enter Image 2 ====") - 1);
            await board.PowerOffAsync();
        }

        var (boot, version) = await PullImages.FlashBootAsync(dir, dir.File("board.bin"));
        Assert.Equal(0, boot.ExitCode);
        Assert.Contains("Flash Image2:Addr 0x80000, Len 65520, Load to SRAM 0x10006000", boot.Stdout);
        Assert.Equal(2u, version);
        // The server saw the board stay to the end of each download.
        await serve.Serial.WaitForAsync(l => l.Contains("stayed to the end") && !l.Contains("check.txt"), "the download's log line");
    }
}
