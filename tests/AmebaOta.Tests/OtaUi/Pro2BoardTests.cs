using System.Text;
using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// The virtual AMB82-mini as an OTA UI board (docs/reference sections 12 and 13) against a minimal server: the heartbeat
/// byte for byte, the serial strings in order, the states, and every failure path the issue names.
/// </summary>
public sealed class Pro2BoardTests
{
    private const ulong Old = 1_700_000_000, New = 1_800_000_000;

    private static async Task<(TempDir Dir, ScriptedOtaUiServer Server)> StartAsync()
    {
        var dir = new TempDir();
        return (dir, new ScriptedOtaUiServer());
    }

    [Fact]
    public async Task Heartbeats_are_byte_for_byte_the_librarys_and_an_update_runs_idle_to_in_progress_to_the_new_build()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            var v2 = Pro2Boards.Image(2, New, server.Address, size: 5 * 4096 + 4);
            server.Reply = DownloadReply.Ok(v2);
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));

            await server.States.WaitForAsync("OTA_STATE_IDLE", 2);
            Assert.All(server.Heartbeats.Take(2), h => Assert.Equal(OtaUiHeartbeat.Request("127.0.0.1", OtaUiState.Idle), h.Bytes));

            var echo = await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board));
            Assert.Equal("start_ota"u8.ToArray(), echo);
            await board.Serial.WaitForAsync("This is version 2");
            Assert.Equal("GET /api/uploadfile HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", server.Downloads.Lines.Single());
            await server.States.WaitForAsync("OTA_STATE_IDLE", server.States.Count("OTA_STATE_IDLE") + 1);

            var boot = (Pro2BootOutcome)board.Board.LastBoot!;
            Assert.Equal(2, boot.ChosenSlot);
            var flash = await board.PowerOffAsync();
            Assert.Equal(2, Pro2BootLoader.Boot(flash).ChosenSlot);
            Assert.True(Pro2BootLoader.Boot(flash).Fw1!.Valid);   // the old slot is left valid
        }
    }

    [Fact]
    public async Task The_serial_log_of_an_update_is_every_string_in_order()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            var v2 = Pro2Boards.Image(2, New, server.Address, size: 3 * 4096 + 4);
            server.Reply = DownloadReply.Ok(v2);
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));
            var port = await Pro2Boards.TriggerPortAsync(board);
            await board.Serial.WaitForAsync("[INFO] Connect to Server successfully!");
            await ScriptedOtaUiServer.TriggerAsync(port);
            await board.Serial.WaitForAsync("This is version 2");

            string[] expected =
            [
                "Boot Loader <==", "This is version 1", "", "Attempting to connect to WPA SSID: yourNetwork", "Interface 0 IP address : 127.0.0.1", "",
                "[INFO] Create socket successfully", "[OTA] Keep-alive connectivity thread created successfully.", "",
                "[INFO] Create TCP socket successfully", "[OTA] Start OTA process thread created successfully.", "",
                "[INFO] Connect to Server successfully!",
                "[INFO] A client connected to this server :", $"[PORT]: ", "[IP]:127.0.0.1",
                "[http_update_ota] Download new firmware begin, total size : 12292",
                "[http_update_ota] Current firmware index is 1",
                "..", "[ota_flash_NOR] target_fw_addr=0x520000, target_fw_len=0x400000",
                "......", $"flash checksum 0x", "[ota_flash_NOR] Append FW label", "[ota_flash_NOR] FW label:", " 52 54 4C 38 37 33 35 42",
                "[http_update_ota] Download new firmware 12292 bytes completed",
                "== Rtl8735b IoT Platform ==", "=== Load FW2 ===", "This is version 2",
            ];
            // In order, heartbeat lines between them allowed (they interleave on a real board too).
            var lines = board.Serial.Lines.SkipWhile(l => l != "Boot Loader <==").ToList();
            int at = 0;
            foreach (var want in expected)
            {
                int found = lines.FindIndex(at, l => want.EndsWith(": ", StringComparison.Ordinal) || want.EndsWith("0x", StringComparison.Ordinal) ? l.StartsWith(want, StringComparison.Ordinal) : l == want);
                Assert.True(found >= 0, $"'{want}' not found in order after line {at}:\n{string.Join('\n', lines)}");
                at = found + 1;
            }
            var checksum = lines.Single(l => l.StartsWith("flash checksum", StringComparison.Ordinal));
            uint sum = BitConverter.ToUInt32(v2, v2.Length - 4);
            Assert.Equal($"flash checksum 0x{sum,8:x} attached checksum 0x{sum,8:x}", checksum);
        }
    }

    [Fact]
    public async Task A_200_json_error_body_with_a_length_is_flashed_fails_its_checksum_and_the_board_stays_completed()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            server.Reply = DownloadReply.JsonErrorWithLength();
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));
            var port = await Pro2Boards.TriggerPortAsync(board);
            await ScriptedOtaUiServer.TriggerAsync(port);
            await board.Serial.WaitForAsync("[http_update_ota] ota flash failed");
            Assert.Contains("[http_update_ota] Download new firmware begin, total size : 44", board.Serial.Lines);   // lower-case content-length: Pro2 reads it
            Assert.Contains("[ota_flash_NOR] The checksume is wrong!", board.Serial.Lines);
            await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", 2);

            // Stuck: a second trigger is echoed and ignored.
            Assert.Equal("start_ota"u8.ToArray(), await ScriptedOtaUiServer.TriggerAsync(port));
            await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", server.States.Count("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED") + 2);
            Assert.Single(server.Downloads.Lines);

            // A reset ends it: IDLE again on the old build.
            board.Board.Reset();
            await board.Serial.WaitForAsync("This is version 1", 2);
            await server.States.WaitForAsync(s => s == "OTA_STATE_IDLE", "idle after reset", server.States.Count("OTA_STATE_IDLE") + 1);
            Assert.Equal(1, ((Pro2BootOutcome)board.Board.LastBoot!).ChosenSlot);
        }
    }

    [Fact]
    public async Task A_404_fails_before_anything_is_written()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            server.Reply = DownloadReply.Status(404);
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));
            long before = board.Board.Flash.OperationCount;
            await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board));
            await board.Serial.WaitForAsync("[parse_http_response] The http response status code is 404");
            await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED");
            Assert.Equal(before, board.Board.Flash.OperationCount);
        }
    }

    [Fact]
    public async Task A_body_cut_in_the_first_block_fails_and_the_board_stays_completed()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            var v2 = Pro2Boards.Image(2, New, server.Address, size: 4 * 4096 + 4);
            server.Reply = DownloadReply.Ok(v2) with { CutAfter = 1000 };
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));
            await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board));
            await board.Serial.WaitForAsync("[http_update_ota] Read socket failed");
            await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED", 2);
            Assert.Equal(1, board.Board.BootCount);
        }
    }

    [Fact]
    public async Task A_body_cut_after_a_written_block_counts_as_success_so_the_board_reboots_into_its_old_firmware()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            var v2 = Pro2Boards.Image(2, New, server.Address, size: 4 * 4096 + 4);
            server.Reply = DownloadReply.Ok(v2) with { CutAfter = 4096 + 1000 };
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));
            await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board));
            await board.Serial.WaitForAsync("[http_update_ota] Read socket failed");
            await board.Serial.WaitForAsync("This is version 1", 2);   // rebooted, on FW1: FW2 never got its label
            Assert.DoesNotContain("[ota_flash_NOR] Append FW label", board.Serial.Lines);
            Assert.Equal(1, ((Pro2BootOutcome)board.Board.LastBoot!).ChosenSlot);
            Assert.False(((Pro2BootOutcome)board.Board.LastBoot!).Fw2!.Valid);
        }
    }

    [Fact]
    public async Task A_trigger_while_busy_is_echoed_and_ignored()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            var v2 = Pro2Boards.Image(2, New, server.Address, size: 4 * 4096 + 4);
            server.Reply = DownloadReply.Ok(v2) with { CutAfter = 2000, Stall = true };   // the board waits forever: no receive timeout
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));
            var port = await Pro2Boards.TriggerPortAsync(board);
            await ScriptedOtaUiServer.TriggerAsync(port);
            await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS");
            Assert.Equal("xx start_ota"u8.ToArray(), await ScriptedOtaUiServer.TriggerAsync(port, "xx start_ota"u8.ToArray()));
            await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS", 3);
            Assert.Single(server.Downloads.Lines);
        }
    }

    [Fact]
    public async Task With_ota_mode_off_the_64_KiB_fw2_refuses_the_image_before_writing()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            server.Reply = DownloadReply.Ok(Pro2Boards.Image(2, New, server.Address, size: 0x20000 + 4));
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address), otaMode: false));
            long before = board.Board.Flash.OperationCount;
            await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board));
            await board.Serial.WaitForAsync("[http_update_ota] ota flash failed");
            Assert.Contains("[ota_flash_NOR] target_fw_addr=0x520000, target_fw_len=0x10000", board.Serial.Lines);
            await server.States.WaitForAsync("OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED");
            Assert.Equal(before, board.Board.Flash.OperationCount);
        }
    }

    [Fact]
    public async Task An_older_build_flashes_fine_and_is_never_booted()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            server.Reply = DownloadReply.Ok(Pro2Boards.Image(2, Old - 1000, server.Address));
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));
            await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board));
            await board.Serial.WaitForAsync("[ota_flash_NOR] Append FW label");
            await board.Serial.WaitForAsync("This is version 1", 2);   // rebooted, and the boot loader picked FW1 again
            var boot = (Pro2BootOutcome)board.Board.LastBoot!;
            Assert.Equal(1, boot.ChosenSlot);
            Assert.True(boot.Fw2!.Valid);
            Assert.Contains("is newer than FW2", boot.Reason);
            Assert.Equal(0, board.Serial.Count("This is version 2"));
        }
    }

    [Fact]
    public async Task The_listener_echoes_up_to_1_KiB_and_closes()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)));
            var port = await Pro2Boards.TriggerPortAsync(board);
            var big = Encoding.ASCII.GetBytes(new string('a', 1500));
            var echo = await ScriptedOtaUiServer.TriggerAsync(port, big);
            Assert.InRange(echo.Length, 1, 1024);
            Assert.Equal(big[..echo.Length], echo);
            await server.States.WaitForAsync("OTA_STATE_IDLE", 3);
            Assert.Empty(server.Downloads.Lines);
        }
    }

    [Fact]
    public async Task A_power_cut_in_the_middle_of_the_download_leaves_the_board_on_its_old_firmware()
    {
        var (dir, server) = await StartAsync();
        using (dir)
        await using (server)
        {
            server.Reply = DownloadReply.Ok(Pro2Boards.Image(2, New, server.Address, size: 20 * 4096 + 4));
            await using var board = Pro2Boards.Board(dir, Pro2Boards.Chip(Pro2Boards.Image(1, Old, server.Address)),
                timing: AmebaOta.Families.AmebaPro2.Flash.Pro2FlashTiming.Typical.Faster(5));
            await ScriptedOtaUiServer.TriggerAsync(await Pro2Boards.TriggerPortAsync(board));
            await board.Serial.WaitForAsync(l => l.StartsWith("[ota_flash_NOR] target_fw_addr", StringComparison.Ordinal), "first block");
            Assert.True(board.Board.PowerCut());
            await board.Notes.WaitForAsync(l => l.StartsWith("power cut at flash operation", StringComparison.Ordinal), "the cut");
            await board.Serial.WaitForAsync("This is version 1", 2);
            Assert.Equal(1, ((Pro2BootOutcome)board.Board.LastBoot!).ChosenSlot);
            await server.States.WaitForAsync("OTA_STATE_IDLE", server.States.Count("OTA_STATE_IDLE") + 1);
        }
    }
}
