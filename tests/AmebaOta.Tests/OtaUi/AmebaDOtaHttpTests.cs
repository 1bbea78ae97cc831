using AmebaOta.Device.Families.AmebaD;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// AmebaD's <c>OTA_Http</c> on the virtual AmebaD board (docs/reference section 12): the same heartbeat, a listener that
/// announces the trigger and keeps the connection, the SDK's download with AmebaD's header rules and the receiver's
/// bank, signature and checksum rules.
/// </summary>
public sealed class AmebaDOtaHttpTests
{
    private static SketchDescriptor Sketch(uint version, string server) =>
        new(version, Port: OtaUiTrigger.Port, RecoveryPin: Pins.RecoveryPin.Unused, Board: BoardKind.Rtl8721d, Mode: SketchMode.OtaHttp, Server: server);

    private static byte[] Image(uint version, string server, int? size = null) =>
        AmebaDImageBuilder.Build(new AmebaDImageBuildOptions(Sketch(version, server), size));

    private static byte[] OtaAll(uint version, string server, int? size = null) => AmebaDImageFile.Parse(Image(version, server, size)).ToOtaAll().Bytes;

    private static BoardHarness Board(TempDir dir, byte[] firstImage) =>
        new(dir, AmebaDImages.ChipWith(firstImage), o => o with
        {
            Family = AmebaDVirtualFamily.Instance,
            Timing = SketchTiming.Real with { OtaUi = Pro2Boards.Fast, OtaUiWifiBegin = TimeSpan.FromMilliseconds(10) },
        });

    [Fact]
    public async Task An_ota_all_bin_is_downloaded_into_the_other_bank_signed_last_and_booted()
    {
        using var dir = new TempDir();
        await using var server = new ScriptedOtaUiServer();
        server.Reply = DownloadReply.Ok(OtaAll(2, server.Address, 64 * 1024));
        await using var board = Board(dir, Image(1, server.Address));
        await server.States.WaitForAsync("OTA_STATE_IDLE", 2);
        Assert.Equal(OtaUiHeartbeat.Request("127.0.0.1", OtaUiState.Idle), server.Heartbeats.First().Bytes);

        var echo = await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board), wait: TimeSpan.FromMilliseconds(500));
        Assert.Equal("start_ota"u8.ToArray(), echo);   // echoed; AmebaD keeps the connection open (it reads again 10 s later)
        await board.Serial.WaitForAsync("This is version 2");

        string[] expected =
        [
            "[OTA] Received start OTA signal from UI.",
            "[update_ota_http_connect_server] Create socket: 3 success!",
            "[http_update_ota] Download new firmware begin, total size : 65568",
            "[http_update_ota] OTA2 address space will be upgraded",
            "Update file size: 65536 bytes, start addr:08106000",
            "OTA image(08106000) checksum ok!!!",
            "[change_ota_signature] Update OTA success!",
            "[MODULE_BOOT-LEVEL_INFO]:OTA2 USE",
            "This is version 2",
        ];
        var lines = board.Serial.Lines.ToList();
        int at = 0;
        foreach (var want in expected)
        {
            int found = lines.FindIndex(at, l => l == want);
            Assert.True(found >= 0, $"'{want}' not found in order:\n{string.Join('\n', lines)}");
            at = found + 1;
        }
        var boot = (AmebaDBootResult)board.Board.LastBoot!;
        Assert.Equal(OtaBank.Ota2, boot.Bank);
        Assert.False(boot.Ota1.IsValid);   // the old bank's signature cleared
    }

    [Fact]
    public async Task A_server_that_sends_lower_case_content_length_fails_every_amebad_board()
    {
        using var dir = new TempDir();
        await using var server = new ScriptedOtaUiServer();
        server.Reply = DownloadReply.Ok(OtaAll(2, server.Address), lengthName: "content-length");
        await using var board = Board(dir, Image(1, server.Address));
        await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board), wait: TimeSpan.FromMilliseconds(300));
        await board.Serial.WaitForAsync("[parse_http_response] No Content-Length in header");
        await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", 2);
        Assert.Equal(1, board.Board.BootCount);
        Assert.Equal("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", server.States.Lines.Last());   // stuck there: nothing sets it back to IDLE

        // Only a reset brings it back, on the old firmware: nothing of version 2 was written.
        board.Board.Reset();
        await board.Serial.WaitForAsync("This is version 1", 2);
        Assert.Equal(OtaBank.Ota1, ((AmebaDBootResult)board.Board.LastBoot!).Bank);
        Assert.DoesNotContain("This is version 2", board.Serial.Lines);
    }

    [Fact]
    public async Task A_200_json_error_body_with_a_length_is_refused_as_a_bad_ota_header()
    {
        using var dir = new TempDir();
        await using var server = new ScriptedOtaUiServer();
        var body = "{\"success\":false,\"message\":\"File not found\"}"u8.ToArray();
        server.Reply = DownloadReply.Ok(body);   // a JSON error with a length AmebaD reads (Realtek's is chunked: RealtekOtaUiTests)
        await using var board = Board(dir, Image(1, server.Address));
        long before = board.Board.Flash.OperationCount;
        await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board), wait: TimeSpan.FromMilliseconds(300));
        await board.Serial.WaitForAsync("get OTA header failed");
        await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", 2);
        Assert.Equal(before, board.Board.Flash.OperationCount);
    }

    [Fact]
    public async Task A_body_cut_short_fails_and_the_old_bank_still_boots()
    {
        using var dir = new TempDir();
        await using var server = new ScriptedOtaUiServer();
        server.Reply = DownloadReply.Ok(OtaAll(2, server.Address, 64 * 1024)) with { CutAfter = 20_000 };
        await using var board = Board(dir, Image(1, server.Address));
        await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board), wait: TimeSpan.FromMilliseconds(300));
        await board.Serial.WaitForAsync("[download_new_fw_from_server_http] Read socket failed");
        // No line break before it: it continues the "address space will be upgraded" line, as on a board.
        Assert.Contains(board.Serial.Lines, l => l == "[http_update_ota] OTA2 address space will be upgraded[http_read_socket], Close HTTP Socket.");
        await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", 2);
        var flash = await board.PowerOffAsync();
        Assert.Equal(OtaBank.Ota1, AmebaDBootLoader.Boot(flash).Bank);
    }
}
