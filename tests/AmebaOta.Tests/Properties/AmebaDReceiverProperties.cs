using System.Buffers.Binary;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Families.AmebaD.Push;
using AmebaOta.Images;
using AmebaOta.Tests.Families.AmebaD;
using AmebaOta.Tests.Support;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>
/// The AmebaD board's receiver on any stream a host might push, over a real socket: it always ends with an outcome; what
/// the host's preflight passes, it takes and boots; whatever it does not take leaves the old firmware booting.
/// </summary>
public sealed class AmebaDReceiverProperties
{
    private static readonly byte[] Old = AmebaDImages.Image(1);

    [Fact]
    public void Any_pushed_stream_ends_in_an_outcome_the_preflight_predicts_and_a_failure_keeps_the_old_bank_booting()
    {
        var valid = Gen.Elements(AmebaDImages.OtaAll(2), AmebaDImages.OtaAll(3, 20 * 1024));
        var streams = Gen.Frequency((1, valid), (5, Generators.Mutated(valid, hotSpots: [0, 16, 32, 0x1020, 0x10A0]).Select(Survivable)));
        int taken = 0, refused = 0;
        PropertyRuns.Check(streams.ToArbitrary(), bytes =>
        {
            if (CheckAsync(bytes).GetAwaiter().GetResult()) taken++;
            else refused++;
        }, cases: PropertyRuns.Fraction(15, 60));
        Assert.True(taken > 0 && refused > 0, $"{taken} streams taken, {refused} not: the property saw only one side");
    }

    /// <summary>Pushes <paramref name="stream"/> to a board running version 1 from OTA1; true when the board took it.</summary>
    private static async Task<bool> CheckAsync(byte[] stream)
    {
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(Old));
        await AmebaDRawSender.SendAsync(board.Board, stream);
        var result = await board.FinishAsync();
        var boot = board.Boot();
        string log = string.Join(" | ", board.Lines.Lines);

        if (Passes(stream) is { } file)
        {
            Assert.True(result.Outcome == AmebaDReceiveOutcome.Success, $"the preflight passed it, the board: {result.Outcome}: {log}");
            Assert.Equal(OtaBank.Ota2, boot.Bank);
            Assert.Equal(file.Sketch, boot.Sketch);
        }
        if (result.Outcome != AmebaDReceiveOutcome.Success)
        {
            Assert.True(boot.Bank == OtaBank.Ota1 && boot.Sketch?.Version == 1, $"{result.Outcome}, then the board boots {boot.Reason}: {log}");
            Assert.Contains(board.Lines.Lines, l => l.Contains("failed", StringComparison.Ordinal) || l.Contains("error", StringComparison.Ordinal));
        }
        return result.Outcome == AmebaDReceiveOutcome.Success;
    }

    /// <summary>The stream as an OTA_All.bin the host's preflight would send, or null when it would refuse it (or send it wrapped).</summary>
    private static AmebaDImageFile? Passes(byte[] stream)
    {
        try
        {
            var file = AmebaDImageFile.Parse(stream);
            return file.Kind == AmebaDImageKind.OtaAll && !AmebaDPreflight.Check(file).Refused ? file : null;
        }
        catch (ImageFormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Keeps the header within what the stock code survives, so each case ends: headers past its 512-byte buffer (too many,
    /// too long, or a count × length under 8, which underflows) hang it,
    /// and an image length under 8 or over a bank (or a stream cut before its length arrives, which the model reads as 0)
    /// erases or reads far outside the bank (the receiver's example tests cover those). Everything else, the image id, checksum, offset, the image and where the stream ends, stays as mutated.
    /// </summary>
    private static byte[] Survivable(byte[] stream)
    {
        if (stream.Length is >= 12 and < 24) return stream[..11];   // cut after its id, before its length: read as 0 (the whole chip erased)
        if (stream.Length < 16) return stream;
        var span = stream.AsSpan();
        uint hdrNum = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        uint imgHdrLen = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
        ulong headers = (ulong)hdrNum * imgHdrLen;   // the code reads headers - 8 more bytes (u32) into its 512-byte buffer
        if (hdrNum is 0 or > AmebaDOtaReceiver.MaxImages || headers < 8 || headers + 8 > AmebaDOtaReceiver.BufferSize)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], hdrNum = 1);
            BinaryPrimitives.WriteUInt32LittleEndian(span[12..], imgHdrLen = OtaAllHeader.ImageHeaderSize);
        }
        for (uint i = 0; i < hdrNum; i++)
        {
            int lengthAt = (int)(8 + i * imgHdrLen + 12);
            if (lengthAt + 4 > stream.Length) break;
            uint imgLen = BinaryPrimitives.ReadUInt32LittleEndian(span[lengthAt..]);
            if (imgLen < 8 || imgLen > AmebaDFlashLayout.BankSize)
                BinaryPrimitives.WriteUInt32LittleEndian(span[lengthAt..], imgLen % (AmebaDFlashLayout.BankSize - 8) + 8);
        }
        return stream;
    }
}
