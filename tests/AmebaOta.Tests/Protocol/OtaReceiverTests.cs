using System.Net;
using System.Net.Sockets;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Protocol;

/// <summary>The board's receiver (docs/reference section 6) on an in-memory chip, with real sockets on 127.0.0.1.</summary>
public class OtaReceiverTests
{
    private static readonly byte[] V1 = TestImages.Image(1);
    private static readonly byte[] V2 = TestImages.Image(2, 100_000);

    [Fact]
    public async Task Success_prints_the_stock_lines_signs_the_image_new_and_marks_default_image_2_old()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        var sent = await OtaUploader.UploadAsync(board.Board, V2);
        var result = await board.FinishAsync();

        Assert.Equal(OtaReceiveOutcome.Success, result.Outcome);
        Assert.Equal(sent.Header, result.Header);
        string[] expected =
        [
            "use default OTA address",
            "Wait for client",
            $"Client connected. IP:127.0.0.1 port:{result.Client!.Port}",
            "",
            "Read OTA info...",
            "Start download",
            "OTA success",
        ];
        Assert.Equal(expected, board.Lines.Lines);

        var flash = board.Flash;
        Assert.Equal(FlashLayout.DefaultOtaAddress, new SystemData(flash).OtaAddress);
        var ota = FlashImage.Read(flash, FlashLayout.DefaultOtaAddress);
        Assert.Equal(SignatureState.New, ota.Signature);
        Assert.Equal(V2.AsSpan(16).ToArray(), flash.Read(FlashLayout.DefaultOtaAddress + 16, V2.Length - 16));
        Assert.Equal(SignatureState.Old, FlashImage.Read(flash, FlashLayout.DefaultImage2).Signature);

        var boot = board.Boot();
        Assert.Contains("Flash Image2:Addr 0x80000, Len 99984, Load to SRAM 0x10006000", boot.Log);
        Assert.Equal(2u, boot.Booted!.Body.Sketch!.Version);
    }

    [Fact]
    public async Task Zero_length_fails_with_the_stock_line()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendHeaderAsync(0, 0);
            client.Close();
        }
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.ZeroLength, result.Outcome);
        Assert.Equal(["Read OTA info...", "OTA image len is 0", "OTA fail"], board.Lines.Lines[^3..]);
        board.AssertOldImageStillBoots();
    }

    [Fact]
    public async Task A_client_that_closes_at_once_reads_as_length_zero_because_missing_header_words_are_modelled_as_zero()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendAsync(new byte[] { 1, 2, 3, 4, 5 });
            client.Close();
        }
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.ZeroLength, result.Outcome);
        Assert.Equal(new OtaHeader(0x04030201, 5, 0), result.Header);
        board.AssertOldImageStillBoots();
    }

    [Fact]
    public async Task Wrong_checksum_prints_got_and_expected_in_decimal_and_leaves_the_image_unsigned()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        uint sum = Checksum.ByteSum(V2);
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendHeaderAsync(sum + 1, (uint)V2.Length);
            await client.SendAsync(V2);
            client.Close();
        }
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.BadChecksum, result.Outcome);
        Assert.Equal([$"Bad checksum:{sum} expected:{sum + 1}", "OTA fail"], board.Lines.Lines[^2..]);
        Assert.Equal(SignatureState.Unsigned, FlashImage.Read(board.Flash, FlashLayout.DefaultOtaAddress).Signature);
        board.AssertOldImageStillBoots();
    }

    [Fact]
    public async Task Checksums_above_0x7fffffff_print_negative_as_the_stock_percent_d_does()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendHeaderAsync(0xFFFFFFFF, (uint)V2.Length);
            await client.SendAsync(V2);
            client.Close();
        }
        await board.FinishAsync();
        Assert.Contains($"Bad checksum:{Checksum.ByteSum(V2)} expected:-1", board.Lines.Lines);
    }

    [Fact]
    public async Task Short_stream_then_reset_is_a_download_failure()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendHeaderAsync(Checksum.ByteSum(V2), (uint)V2.Length);
            await client.SendAsync(V2.AsMemory(0, V2.Length / 2));
            await board.Activity.WaitForAsync(a => a.Phase == OtaReceiverPhase.Downloading && a.Done == V2.Length / 2).WaitAsync(TimeSpan.FromSeconds(20));
            client.Reset();
        }
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.DownloadFailed, result.Outcome);
        Assert.Equal(V2.Length / 2, result.BytesReceived);
        Assert.Equal(["Start download", "Download fail", "OTA fail"], board.Lines.Lines[^3..]);
        board.AssertOldImageStillBoots();
    }

    [Fact]
    public async Task A_silent_client_fails_the_header_read_after_the_receive_timeout()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1), TimeSpan.FromMilliseconds(200));
        using var client = await RawClient.ConnectAsync(board.Board);
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.ReadInfoFailed, result.Outcome);
        Assert.Equal(["Read OTA info...", "Fail to read OTA info", "OTA fail"], board.Lines.Lines[^3..]);
        board.AssertOldImageStillBoots();
    }

    [Fact]
    public async Task A_client_that_stalls_after_the_header_fails_the_download_after_the_receive_timeout()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1), TimeSpan.FromMilliseconds(1000));
        using var client = await RawClient.ConnectAsync(board.Board);
        await client.SendHeaderAsync(Checksum.ByteSum(V2), (uint)V2.Length);
        await client.SendAsync(V2.AsMemory(0, 1000));
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.DownloadFailed, result.Outcome);
        Assert.Equal(["Start download", "Download fail", "OTA fail"], board.Lines.Lines[^3..]);
        board.AssertOldImageStillBoots();
    }

    [Theory]
    [InlineData(0x80001u)]  // odd: the stock "ota_addr & 1" test
    [InlineData(0x10000u)]  // inside the 64 KiB Default Image 2 (0xB000..0x1B000)
    [InlineData(0x0B000u)]  // on top of Default Image 2
    public async Task An_invalid_ota_address_is_reported_and_the_receiver_never_listens(uint address)
    {
        var flash = TestImages.ChipWith(TestImages.Image(1, 0x10000, v1Settings: false));
        new SystemData(flash).SetOtaAddress(address);
        var board = await ReceiverHarness.StartAsync(flash);
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.InvalidOtaAddress, result.Outcome);
        Assert.Null(board.Board);
        Assert.Equal([$"Invalid OTA address: {address:X8}", "OTA fail"], board.Lines.Lines);
        Assert.True(board.Boot().Started);
        Assert.Equal(FlashLayout.DefaultImage2, board.Boot().Booted!.Address);
    }

    [Fact]
    public async Task Quirk_an_even_unaligned_address_passes_the_receiver_but_the_boot_loader_rejects_it()
    {
        var flash = TestImages.ChipWith(V1);
        new SystemData(flash).SetOtaAddress(0x80800);
        var board = await ReceiverHarness.StartAsync(flash);
        await OtaUploader.UploadAsync(board.Board, V2);
        Assert.Equal(OtaReceiveOutcome.Success, (await board.FinishAsync()).Outcome);

        var boot = board.Boot();
        Assert.Equal(["===== Enter Image 1 ====", "OTA addr 0x80800 INVALID", "load OLD fw 0"], boot.Log.Take(3));
        Assert.Equal(FlashLayout.DefaultImage2, boot.Booted!.Address);
    }

    [Fact]
    public void Image_3_raises_the_lower_bound_for_the_ota_address()
    {
        var withSdram = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(1, AppliesVersion1Settings: false), 0x200, WithImage3: true));
        var flash = TestImages.ChipWith(withSdram);
        var receiver = new OtaReceiver(flash, _ => { });
        Assert.Equal(0xB000u + (uint)withSdram.Length, receiver.ImageUpperBound());
    }

    [Fact]
    public async Task Quirk_erase_by_declared_length_wraps_past_the_end_of_the_chip_and_erases_sector_0()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            await client.SendHeaderAsync(0, 0x81000);  // 0x80000 + 0x81000 runs 0x1000 past a 1 MiB chip
            await board.Activity.WaitForAsync(a => a.Phase == OtaReceiverPhase.Downloading).WaitAsync(TimeSpan.FromSeconds(20));
            client.Reset();
        }
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.DownloadFailed, result.Outcome);
        Assert.Equal(0xFFFFFFFFu, board.Flash.ReadU32(0));  // Image 1's header is gone: the board is bricked
        Assert.Equal(0x35393138u, board.Flash.ReadU32(0xB008));  // sector 0xB000 was not reached
    }

    [Fact]
    public async Task Quirk_bytes_past_the_declared_length_in_the_same_read_fail_the_download()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        var small = TestImages.Image(2, 600);
        using (var client = await RawClient.ConnectAsync(board.Board))
        {
            // One send: header, file, 100 extra bytes: the stock loop reads 512 at a time whatever remains.
            await client.SendAsync((byte[])[.. OtaHeader.For(small).ToArray(), .. small, .. new byte[100]]);
            client.Close();
        }
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.DownloadFailed, result.Outcome);
        Assert.Equal(700, result.BytesReceived);
        board.AssertOldImageStillBoots();
    }

    [Fact]
    public async Task An_image_signed_old_fails_the_signature_readback()
    {
        var old = (byte[])V2.Clone();
        SegmentHeader.Read(old).WithSignature(SignatureState.Old).Write(old);
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        await OtaUploader.UploadAsync(board.Board, old);
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.SignatureFailed, result.Outcome);
        Assert.Equal(["Put signature fail", "OTA fail"], board.Lines.Lines[^2..]);
        board.AssertOldImageStillBoots();
    }

    [Fact]
    public async Task A_second_client_during_a_transfer_is_left_waiting_and_does_not_disturb_it()
    {
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1));
        using var first = await RawClient.ConnectAsync(board.Board);
        await first.SendHeaderAsync(Checksum.ByteSum(V2), (uint)V2.Length);
        await first.SendAsync(V2.AsMemory(0, 50_000));
        await board.Lines.WaitForAsync("Start download");

        // The backlog of 1 takes the second connection; nobody ever reads it.
        using var second = await RawClient.ConnectAsync(board.Board);
        await second.SendAsync(new OtaHeader(0, 0, 0).ToArray());

        await first.SendAsync(V2.AsMemory(50_000));
        first.Close();
        var result = await board.FinishAsync();
        Assert.Equal(OtaReceiveOutcome.Success, result.Outcome);
        Assert.Single(board.Lines.Lines, l => l.StartsWith("Client connected.", StringComparison.Ordinal));

        // When the receiver closes, the queued connection is reset, never answered.
        var buffer = new byte[16];
        int read;
        try { read = await second.Socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (SocketException) { read = 0; }
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Cancelling_a_waiting_receiver_closes_the_port_without_printing_a_failure()
    {
        using var cts = new CancellationTokenSource();
        var board = await ReceiverHarness.StartAsync(TestImages.ChipWith(V1), cancellationToken: cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(board.FinishAsync);
        Assert.Equal(["use default OTA address", "Wait for client"], board.Lines.Lines);
        var refused = await Assert.ThrowsAsync<OtaUploadException>(() => OtaUploader.UploadAsync(board.Board, V2));
        Assert.Equal(OtaUploadFailure.ConnectionRefused, refused.Failure);
    }

    [Fact]
    public async Task An_existing_ota_address_is_used_without_the_default_line()
    {
        var flash = TestImages.ChipWith(V1);
        new SystemData(flash).SetOtaAddress(0x90000);
        var board = await ReceiverHarness.StartAsync(flash);
        await OtaUploader.UploadAsync(board.Board, V2);
        var result = await board.FinishAsync();
        Assert.Equal(0x90000u, result.OtaAddress);
        Assert.Equal("Wait for client", board.Lines.Lines[0]);
        Assert.Equal(SignatureState.New, FlashImage.Read(flash, 0x90000).Signature);
    }
}
