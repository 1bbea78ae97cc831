using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Images;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// What the host says about OTA UI servers before a board pays for it, through the CLI as a process: <c>image info
/// --server</c> asks a server for its image as a board would (an AmebaD board cannot take one sent with a lower-case
/// <c>content-length</c>, as Realtek's server sends it), and <c>serve --ota-ui</c> refuses an image its family refuses before
/// serving and, for a board the history knows, an image that board would not boot.
/// </summary>
public class OtaUiServerChecksTests
{
    private static int _next = 120;

    private static IPAddress NextAddress() => IPAddress.Parse($"127.0.20.{Interlocked.Increment(ref _next)}");

    private static IPEndPoint FreeServer() => OtaUiTestServer.FreeEndPoint();

    private static byte[] AmebaDOtaAll(string server) => AmebaDImageFile.Parse(AmebaDImageBuilder.Build(new AmebaDImageBuildOptions(
        new SketchDescriptor(2, Port: OtaUiTrigger.Port, RecoveryPin: Pins.RecoveryPin.Unused, Board: BoardKind.Rtl8721d, Mode: SketchMode.OtaHttp, Server: server),
        null))).ToOtaAll().Bytes;

    [Fact]
    public async Task Image_info_server_refuses_an_AmebaD_image_on_a_server_that_sends_lower_case_content_length_and_passes_the_rest()
    {
        using var dir = new TempDir();
        var pro2 = Pro2TestBoard.Image(2, new IPEndPoint(IPAddress.Loopback, 3000));
        File.WriteAllBytes(dir.File("OTA_All.bin"), AmebaDOtaAll("127.0.0.1:3000"));
        File.WriteAllBytes(dir.File("ota.bin"), pro2);
        var amebaD = File.ReadAllBytes(dir.File("OTA_All.bin"));

        // Our model of Realtek's server: its headers in lower case, as Next.js sends them.
        await using (var stock = await OtaUiTestServer.StartAsync(amebaD, OtaUiFault.Stock))
        {
            string url = $"http://{stock.EndPoint}";
            var refused = await Support.Cli.RunAsync(dir.Path, "image", "info", "OTA_All.bin", "--server", url);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            var error = Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: ", error);
            Assert.Contains("AmebaD (RTL8721D", error);
            Assert.Contains("boards cannot take an image from this server", error);
            Assert.Contains("'content-length' (lower case, as Realtek's own ameba-OTA-UI server does)", error);
            Assert.Contains("No Content-Length in header", error);
            Assert.Contains("OTA header", refused.Stdout);   // the image's own lines came first

            // An AmebaPro2 board reads that spelling.
            var pro2Ok = await Support.Cli.RunAsync(dir.Path, "image", "info", "ota.bin", "--server", url);
            Assert.True(pro2Ok.ExitCode == 0, pro2Ok.ToString());
            Assert.Contains("boards would download it (the AmebaPro2 SDK)", pro2Ok.Stdout);
            Assert.Contains("it serves another image", pro2Ok.Stderr);   // the stock server holds the AmebaD file
        }

        await using (var ours = await OtaUiTestServer.StartAsync(amebaD))
        {
            var ok = await Support.Cli.RunAsync(dir.Path, "image", "info", "OTA_All.bin", "--server", ours.EndPoint.ToString());
            Assert.True(ok.ExitCode == 0, ok.ToString());
            Assert.Contains($"with Content-Length: {amebaD.Length}; AmebaD", ok.Stdout);
            Assert.Contains("boards would download it (the AmebaD SDK)", ok.Stdout);
            Assert.Equal("", ok.Stderr);
        }

        var nobody = await Support.Cli.RunAsync(dir.Path, "image", "info", "OTA_All.bin", "--server", $"http://{FreeServer()}");
        Assert.True(nobody.ExitCode == 4, nobody.ToString());
        Assert.Contains("cannot reach the OTA UI server", nobody.Stderr);
    }

    /// <summary>Starts <c>serve --ota-ui FILE</c> as a process (with <paramref name="more"/> options) and returns it with where it listens.</summary>
    private static async Task<(CommandProcess Serve, IPEndPoint At)> ServeOtaUiAsync(string dir, string file, params string[] more)
    {
        var serve = CommandProcess.Start(dir, ["serve", "--ota-ui", file, "--port", "0", "--db", "none", "--no-watch", .. more]);
        string listen = await serve.Serial.WaitForAsync(l => l.StartsWith("ota ui: ", StringComparison.Ordinal), "serve's address line");
        return (serve, IPEndPoint.Parse(listen.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]));
    }

    [Fact]
    public async Task Image_info_server_json_carries_the_servers_answer_as_sent_and_the_verdict_with_the_same_exit_codes()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("OTA_All.bin"), AmebaDOtaAll("127.0.0.1:3000"));
        int length = (int)new FileInfo(dir.File("OTA_All.bin")).Length;

        var (stock, stockAt) = await ServeOtaUiAsync(dir.Path, "OTA_All.bin", "--fault", "stock");
        await using (stock)
        {
            var refused = await Support.Cli.RunAsync(dir.Path, "image", "info", "OTA_All.bin", "--server", $"http://{stockAt}", "--json");
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains("boards cannot take an image from this server", Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            var root = JsonDocument.Parse(refused.Stdout).RootElement;
            Assert.Equal("amebad", root.GetProperty("family").GetString());   // the image's own JSON, with the server's answer in it
            var check = root.GetProperty("serverCheck");
            Assert.Equal(stockAt.ToString(), check.GetProperty("server").GetString());
            Assert.True(check.GetProperty("reachable").GetBoolean());
            Assert.Equal("HTTP/1.1 200 OK", check.GetProperty("statusLine").GetString());
            Assert.Equal($"content-length: {length}", check.GetProperty("lengthHeader").GetString());
            Assert.Equal("refused", check.GetProperty("verdict").GetString());
            Assert.False(check.GetProperty("boardsWouldDownload").GetBoolean());
            Assert.Contains("'content-length' (lower case", check.GetProperty("reason").GetString());
        }

        var (ours, oursAt) = await ServeOtaUiAsync(dir.Path, "OTA_All.bin");
        await using (ours)
        {
            var ok = await Support.Cli.RunAsync(dir.Path, "image", "info", "OTA_All.bin", "--server", oursAt.ToString(), "--json");
            Assert.True(ok.ExitCode == 0, ok.ToString());
            Assert.Equal("", ok.Stderr);
            var check = JsonDocument.Parse(ok.Stdout).RootElement.GetProperty("serverCheck");
            Assert.Equal($"Content-Length: {length}", check.GetProperty("lengthHeader").GetString());
            Assert.Equal(length, check.GetProperty("contentLength").GetInt32());
            Assert.Equal(200, check.GetProperty("status").GetInt32());
            Assert.Equal("accepted", check.GetProperty("verdict").GetString());
            Assert.True(check.GetProperty("boardsWouldDownload").GetBoolean());
        }

        var nobody = await Support.Cli.RunAsync(dir.Path, "image", "info", "OTA_All.bin", "--server", $"http://{FreeServer()}", "--json");
        Assert.True(nobody.ExitCode == 4, nobody.ToString());
        var unreachable = JsonDocument.Parse(nobody.Stdout).RootElement.GetProperty("serverCheck");
        Assert.False(unreachable.GetProperty("reachable").GetBoolean());
        Assert.Equal("unreachable", unreachable.GetProperty("verdict").GetString());
        Assert.Contains("cannot reach the OTA UI server", unreachable.GetProperty("reason").GetString());

        // Without --server the image's JSON is as it was: no serverCheck.
        var plain = await Support.Cli.RunAsync(dir.Path, "image", "info", "OTA_All.bin", "--json");
        Assert.False(JsonDocument.Parse(plain.Stdout).RootElement.TryGetProperty("serverCheck", out _));
    }

    [Fact]
    public async Task Serve_ota_ui_refuses_an_image_its_family_refuses_before_serving_and_force_serves_it()
    {
        using var dir = new TempDir();
        var bad = Pro2TestBoard.Image(2, new IPEndPoint(IPAddress.Loopback, 3000));
        bad[^1] ^= 0xFF;   // the byte-sum trailer no longer matches: every board would fail its checksum after writing it
        File.WriteAllBytes(dir.File("bad.bin"), bad);

        var refused = await Support.Cli.RunAsync(dir.Path, "serve", "--ota-ui", "bad.bin", "--port", "0", "--db", "none");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        var line = Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("refusing to serve bad.bin", line);
        Assert.Contains("--force serves it anyway", line);
        Assert.Equal("", refused.Stdout);

        await using var forced = CommandProcess.Start(dir.Path, "serve", "--ota-ui", "bad.bin", "--port", "0", "--db", "none", "--force");
        await forced.Serial.WaitForAsync(l => l.Contains("ota ui: "), "serve's listening line");
        Assert.Contains(forced.Notes.Lines, l => l.StartsWith("warning: bad.bin served despite:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_ota_ui_refuses_a_board_the_history_knows_an_image_it_would_not_boot_and_the_board_keeps_its_firmware()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        string db = dir.File("history.db");
        await using var board = new Pro2TestBoard(NextAddress(), Pro2TestBoard.Image(1, server, timestamp: 1_700_000_000), server, OtaUiTestServer.Speedup);
        board.Start();
        File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_200));
        File.WriteAllBytes(dir.File("older.bin"), Pro2TestBoard.Image(3, server, timestamp: 1_700_000_100));
        var update = await Support.Cli.RunAsync(dir.Path, "upload", "v2.bin", "--ip", board.Address.ToString(), "--listen", server.ToString(), "--db", db);
        Assert.True(update.ExitCode == 0, update.ToString());
        int boots = board.Boots;

        await using var serve = CommandProcess.Start(dir.Path, "serve", "--ota-ui", "older.bin", "--port", server.Port.ToString(), "--db", db);
        await serve.Serial.WaitForAsync(l => l.Contains("ota ui: "), "serve's listening line");
        Assert.True(await board.WaitForAsync(b => b.State == OtaUiState.Idle, TimeSpan.FromSeconds(10)));
        await ScriptedOtaUiServer.TriggerAsync(new IPEndPoint(board.Address, OtaUiTrigger.Port));

        string refusal = await serve.Notes.WaitForAsync(l => l.Contains("download refused"), "the refusal line");
        Assert.StartsWith($"warning: {board.Address}: download refused (answered 409): ", refusal);
        Assert.Contains("(version 1, built 2023-11-14 22:15:00 UTC) is not newer than the running firmware (version 1, built 2023-11-14 22:16:40 UTC)", refusal);
        Assert.EndsWith("the board reports COMPLETED and ignores triggers until it is reset (--force serves it anyway)", refusal);
        Assert.True(await board.WaitForAsync(b => b.State == OtaUiState.DownloadFirmwareCompleted, TimeSpan.FromSeconds(10)));
        Assert.True(await board.WaitForAsync(b => b.Serial.Any(l => l.Contains("The http response status code is 409", StringComparison.Ordinal)), TimeSpan.FromSeconds(5)),
            string.Join("\n", board.Serial));
        Assert.Equal(boots, board.Boots);
        Assert.Equal(2, board.LastBoot!.ChosenSlot);
    }
}
