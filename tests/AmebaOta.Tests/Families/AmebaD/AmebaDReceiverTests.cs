using System.Buffers.Binary;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Families.AmebaD.Push;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Families.AmebaD;

/// <summary>The AmebaD board's receiver (docs/reference section 11.4) on an in-memory chip, with real sockets on 127.0.0.1.</summary>
public sealed class AmebaDReceiverTests
{
    private static readonly byte[] V1 = AmebaDImages.Image(1);
    private static readonly byte[] V2 = AmebaDImages.OtaAll(2, 100_000);

    private static string[] Success(int imageLength, string bank = "2") =>
    [
        $"[syncOTAAddr] OTA_INDEX_{(bank == "2" ? 1 : 0)} will be upgraded",
        bank == "2" ? "Current index = 1, Target index = 2" : "Current index = 2, Target index = 1",
        "[beginOTA] Receive file_info done",
        "[beginOTA] Receive firmware header done",
        "[beginOTA] Get OTA header done",
        "\tErase is ongoing...",
        "",
        $"Erasing OTA target flash index {bank}...",
        $"Update file size: {imageLength} bytes, start addr:{(bank == "2" ? "08106000" : "08006000")}",
        "[beginOTA] Download new firmware done",
        "",
        $"OTA image({(bank == "2" ? "08106000" : "08006000")}) checksum ok!!!",
        "",
        "[change_ota_signature] Update OTA success![beginOTA] Update OTA signature done",
        "[beginOTA] Ready to reboot",
        "[beginOTA] Update task exit",
    ];

    [Fact]
    public async Task Success_prints_every_stock_string_in_order_writes_the_other_bank_and_clears_the_old_signature()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));
        int sentBack = await AmebaDRawSender.SendAsync(board.Board, V2);
        var result = await board.FinishAsync();

        Assert.Equal(AmebaDReceiveOutcome.Success, result.Outcome);
        Assert.Equal(0, sentBack);   // the board says nothing on the wire, then closes
        string[] start =
        [
            "[beginOTA] Alloc buffer Init",
            "[beginOTA] Alloc buffer Succeed",
            "<Arduino>",
            $"Listening on port {board.Board.Port}.",
            "Waiting for client ...",
            "[ota_accept_socket] [INFO] Accept connection successfully",
            "",
            "OTA server connected to this client :",
            $"[PORT]: {result.Client!.Port}",
            "[IP]:127.0.0.1",
            "",
        ];
        Assert.Equal([.. start, .. Success(100_000)], board.Lines.Lines);

        var flash = board.Flash;
        var image = AmebaDImageFile.Parse(V2).ImageBytes.ToArray();
        Assert.Equal(image, flash.Read(AmebaDFlashLayout.Ota2, image.Length));
        Assert.Equal(0x00, flash.ReadByte(AmebaDFlashLayout.Ota1));
        Assert.Equal("1958711"u8.ToArray(), flash.Read(AmebaDFlashLayout.Ota1 + 1, 7));   // only the first byte cleared: 0x00 AND '8'
        var boot = board.Boot();
        Assert.Equal(OtaBank.Ota2, boot.Bank);
        Assert.Equal(2u, boot.Sketch?.Version);
        Assert.False(boot.Ota1.IsValid);
    }

    [Fact]
    public async Task A_board_running_ota2_writes_ota1_and_prints_the_raw_enum_0()
    {
        var flash = AmebaDImages.ChipWith(V1);
        var first = await AmebaDReceiverHarness.StartAsync(flash);
        await AmebaDRawSender.SendAsync(first.Board, V2);
        Assert.True((await first.FinishAsync()).Succeeded);

        var second = await AmebaDReceiverHarness.StartAsync(flash);
        var v3 = AmebaDImages.OtaAll(3);
        await AmebaDRawSender.SendAsync(second.Board, v3);
        Assert.True((await second.FinishAsync()).Succeeded);
        Assert.Equal(Success(AmebaDImageFile.Parse(v3).ImageLength, bank: "1"), second.LinesAfterAccept());
        var boot = second.Boot();
        Assert.Equal(OtaBank.Ota1, boot.Bank);
        Assert.Equal(3u, boot.Sketch?.Version);
        Assert.False(boot.Ota2.IsValid);
    }

    [Fact]
    public async Task A_bad_id_fails_before_anything_is_erased()
    {
        var flash = AmebaDImages.ChipWith(V1);
        var before = flash.Contents.ToArray();
        var board = await AmebaDReceiverHarness.StartAsync(flash);
        var file = (byte[])V2.Clone();
        "XTA1"u8.CopyTo(file.AsSpan(8));
        await AmebaDRawSender.SendAsync(board.Board, file);
        var result = await board.FinishAsync();

        Assert.Equal(AmebaDReceiveOutcome.BadHeader, result.Outcome);
        Assert.Equal(
            ["[syncOTAAddr] OTA_INDEX_1 will be upgraded", "Current index = 1, Target index = 2", "[beginOTA] Receive file_info done",
             "[beginOTA] Receive firmware header done", "[beginOTA] [ERROR] Get OTA header failed", "[beginOTA] Update task exit"],
            board.LinesAfterAccept());
        Assert.Equal(before, flash.Contents.ToArray());
    }

    [Fact]
    public async Task A_bad_checksum_writes_the_bank_then_prints_both_sums_and_keeps_the_old_bank()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));
        var file = (byte[])V2.Clone();
        uint sum = Checksum.ByteSum(file.AsSpan(32));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), 0x1234);
        await AmebaDRawSender.SendAsync(board.Board, file);
        var result = await board.FinishAsync();

        Assert.Equal(AmebaDReceiveOutcome.BadChecksum, result.Outcome);
        Assert.Equal(sum, result.ComputedChecksum);
        var lines = board.LinesAfterAccept();
        Assert.Equal(
            ["OTA image(08106000) checksum error!!!", $"Calculated checksum 0x{sum,8:x}, host checksum 0x    1234", "[beginOTA] Update task exit"],
            lines[^3..]);
        Assert.DoesNotContain(lines, l => l.Contains("Ready to reboot"));
        var boot = board.Boot();
        Assert.Equal(OtaBank.Ota1, boot.Bank);
        Assert.True(boot.Ota2.IsErased);   // written from +8, the signature never
    }

    [Fact]
    public async Task A_fin_before_the_end_prints_download_failed_checks_the_sum_anyway_and_fails()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));
        await AmebaDRawSender.SendAsync(board.Board, V2, stopAfter: 50_000);
        var result = await board.FinishAsync();

        Assert.Equal(AmebaDReceiveOutcome.BadChecksum, result.Outcome);
        var lines = board.LinesAfterAccept();
        Assert.Contains("Update file size: 49968 bytes, start addr:08106000", lines);
        int failed = Array.IndexOf(lines, "download new firmware failed");
        Assert.True(failed > 0, string.Join('\n', lines));
        Assert.Equal(["", "[beginOTA] Download new firmware done", "", "OTA image(08106000) checksum error!!!"], lines[(failed + 1)..(failed + 5)]);
        Assert.Equal(OtaBank.Ota1, board.Boot().Bank);
    }

    [Fact]
    public async Task A_fin_within_the_images_0xff_padding_still_passes_the_checksum()
    {
        // The build pads the KM4 image with 0xFF to 4 KiB, and the erased bank reads 0xFF: a sender that stops in the
        // padding leaves a bank whose sum matches (the stock code checks no length).
        var ota = AmebaDImages.OtaAll(2);
        var image = AmebaDImageFile.Parse(ota).Image!;
        int used = OtaAllHeader.Size + (int)image.UsedLength;
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));
        await AmebaDRawSender.SendAsync(board.Board, ota, stopAfter: used);
        var result = await board.FinishAsync();

        Assert.Equal(AmebaDReceiveOutcome.Success, result.Outcome);
        Assert.Contains("download new firmware failed", board.Lines.Lines);
        Assert.Equal(2u, board.Boot().Sketch?.Version);
    }

    [Fact]
    public async Task A_reset_mid_image_is_a_read_error_and_the_old_bank_boots()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendAsync(OtaHeader.For(V2).ToArray());
            await client.SendAsync(V2.AsMemory(0, 40_000));
            await board.Activity.WaitForAsync(s => s.Phase == OtaReceiverPhase.Downloading && s.Done >= 20_000).WaitAsync(TimeSpan.FromSeconds(10));
            client.Reset();
        }
        var result = await board.FinishAsync();

        Assert.Equal(AmebaDReceiveOutcome.DownloadFailed, result.Outcome);
        Assert.Equal(
            ["[download_new_fw_from_server] Read socket failed[beginOTA] [ERROR] Download new firmware failed", "[beginOTA] Update task exit"],
            board.LinesAfterAccept()[^2..]);
        Assert.Equal(OtaBank.Ota1, board.Boot().Bank);
    }

    [Fact]
    public async Task A_host_pause_over_three_seconds_fails_the_read_in_progress()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));   // the stock 3 s SO_RCVTIMEO
        var started = System.Diagnostics.Stopwatch.StartNew();
        int back = await AmebaDRawSender.SendAsync(board.Board, V2, between: async at =>
        {
            if (at == 20 * 1024) await board.Result.WaitAsync(TimeSpan.FromSeconds(10));   // pause until the board gives up
        });
        var result = await board.FinishAsync();

        Assert.Equal(AmebaDReceiveOutcome.DownloadFailed, result.Outcome);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(8));
        Assert.Contains("[download_new_fw_from_server] Read socket failed[beginOTA] [ERROR] Download new firmware failed", board.Lines.Lines);
        Assert.Equal(-1, back);   // the board closed with the rest unread: the host sees a reset
    }

    [Fact]
    public async Task A_pause_before_the_preamble_fails_the_file_info_read()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1), receiveTimeout: TimeSpan.FromMilliseconds(200));
        using var client = await RawClient.ConnectAsync(board.Board);
        var result = await board.FinishAsync();
        Assert.Equal(AmebaDReceiveOutcome.FileInfoFailed, result.Outcome);
        Assert.Equal(
            ["", "[recv_file_info_from_server] read socket failed", "[beginOTA] [ERROR] Receive firmware file_info failed", "[beginOTA] Update task exit"],
            board.LinesAfterAccept()[2..]);
    }

    [Fact]
    public async Task A_fin_right_after_the_preamble_reads_a_zeroed_header_and_fails_it()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendAsync(OtaHeader.For(V2).ToArray());
            client.Close();
        }
        var result = await board.FinishAsync();
        Assert.Equal(AmebaDReceiveOutcome.BadHeader, result.Outcome);
        Assert.Equal(["[beginOTA] Receive file_info done", "[beginOTA] Receive firmware header done", "[beginOTA] [ERROR] Get OTA header failed"],
            board.LinesAfterAccept()[2..5]);
    }

    [Fact]
    public async Task A_wrong_offset_makes_the_board_take_the_wrong_bytes_and_fail_the_checksum()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));
        var file = (byte[])V2.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24), 40);
        await AmebaDRawSender.SendAsync(board.Board, file);
        Assert.Equal(AmebaDReceiveOutcome.BadChecksum, (await board.FinishAsync()).Outcome);
        Assert.Equal(OtaBank.Ota1, board.Boot().Bank);
    }

    [Fact]
    public async Task An_image_larger_than_a_bank_is_erased_and_written_past_the_end_of_the_chip_into_the_boot_image()
    {
        var big = AmebaDImages.OtaAll(2, AmebaDFlashLayout.BankSize + 8192);
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1));
        await AmebaDRawSender.SendAsync(board.Board, big);
        var result = await board.FinishAsync();

        Assert.Equal(AmebaDReceiveOutcome.Success, result.Outcome);   // no size check anywhere
        Assert.Equal(AmebaDBootOutcome.NoBootImage, board.Boot().Outcome);   // the KM0 boot image at 0x0 was overwritten
    }

    [Fact]
    public async Task More_than_two_image_headers_overrun_the_stock_code_and_hang_until_reset()
    {
        using var reset = new CancellationTokenSource();
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1), cancellationToken: reset.Token);
        var file = new byte[8 + 3 * 24 + 64];
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), 3);
        for (int i = 0; i < 3; i++)
        {
            "OTA1"u8.CopyTo(file.AsSpan(8 + 24 * i));
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12 + 24 * i), 24);
        }
        using var client = await RawClient.ConnectAsync(board.Board);
        await client.SendAsync(OtaHeader.For(file).ToArray());
        await client.SendAsync(file);
        await board.Activity.WaitForAsync(s => s.Phase == OtaReceiverPhase.Overrun).WaitAsync(TimeSpan.FromSeconds(10));
        await reset.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => board.Result);
    }

    [Fact]
    public async Task Nothing_listens_after_the_receiver_returned()
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(V1), receiveTimeout: TimeSpan.FromMilliseconds(100));
        using (await RawClient.ConnectAsync(board.Board)) await board.FinishAsync();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => RawClient.ConnectAsync(board.Board));
    }
}
