using System.Buffers.Binary;
using AmebaOta.Families;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Images;

namespace AmebaOta.Tests.Families.AmebaPro2;

/// <summary>AmebaPro2 images laid out as Realtek's tools lay them out (docs/reference section 11.3).</summary>
public sealed class Pro2ImageTests
{
    internal static SketchDescriptor Sketch(uint version) =>
        new(version, Board: BoardKind.Rtl8735b, Mode: SketchMode.OtaHttp, Server: "192.168.3.14:3000");

    internal static byte[] Build(uint version, ulong timestamp, int manifestVersion = 1, int? size = null, bool trailer = true) =>
        Pro2ImageBuilder.Build(new Pro2ImageOptions(Sketch(version), manifestVersion, timestamp, size, trailer));

    [Fact]
    public void The_manifest_fields_are_where_realteks_images_have_them()
    {
        var bytes = Build(2, 1_700_000_000);
        Assert.Equal("RTL8735B"u8.ToArray(), bytes[..8]);
        Assert.Equal(0x3E0, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal([0x01, 0x80, 0x01, 0x00], bytes[0x120..0x124]);                  // PK, 384 bytes
        Assert.Equal([0x04, 0x02, 0x00, 0x00, 0xA4, 0xDA, 0xFE, 0xFE], bytes[0x2A4..0x2AC]); // TYPE_ID IMG_FWHS_S, padded with 0xFE
        Assert.Equal([0x02, 0x20, 0x00, 0x00, 0xFE, 0xFF], bytes[0x2AC..0x2B2]);       // VERSION, 32 bytes, FE FF… (version 1)
        Assert.Equal([0x0D, 0x08, 0x00, 0x00], bytes[0x2D0..0x2D4]);                   // TIMST, 8 bytes
        Assert.Equal(1_700_000_000ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0x2D4)));
        Assert.Equal([0x03, 0x04, 0x00, 0x00], bytes[0x2DC..0x2E0]);                   // IMGSZ
        Assert.Equal((uint)(bytes.Length - 4 - 0x1000), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(0x2E0)));
        Assert.Equal(0xFF, bytes[0x3E0]);                                              // signature area
    }

    [Fact]
    public void An_ota_bin_is_a_4_KiB_multiple_plus_the_byte_sum_of_the_rest()
    {
        var bytes = Build(1, 1);
        Assert.Equal(4, bytes.Length % 4096);
        Assert.Equal(Checksum.ByteSum(bytes.AsSpan(0, bytes.Length - 4)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)));
        var image = Pro2Image.Parse(bytes);
        Assert.Equal(Pro2ImageKind.OtaBin, image.Kind);
        Assert.True(image.TrailerValid);
        Assert.Empty(Pro2ImageCheck.Problems(image));
    }

    [Fact]
    public void The_image_parses_back_through_the_family_seam()
    {
        var bytes = Build(7, 1_700_000_123, manifestVersion: 3);
        Assert.Same(BoardFamilies.AmebaPro2, BoardFamilies.Identify(bytes));
        var image = Assert.IsType<Pro2Image>(BoardFamilies.ParseImage(bytes));
        Assert.Equal(7u, image.Sketch?.Version);
        Assert.Equal(SketchMode.OtaHttp, image.Sketch?.Mode);
        Assert.Equal(BoardKind.Rtl8735b, image.Sketch?.Board);
        Assert.Equal(new Pro2BuildStamp(3, 1_700_000_123), image.Stamp);
        Assert.Equal(Pro2ImageTypes.Firmware, image.Manifest.TypeId);
    }

    [Fact]
    public void A_firmware_bin_and_a_wrong_trailer_are_told_apart_and_refused()
    {
        var firmware = Pro2Image.Parse(Build(1, 1, trailer: false));
        Assert.Equal(Pro2ImageKind.FirmwareBin, firmware.Kind);
        Assert.Contains("firmware.bin without the checksum trailer", Pro2ImageCheck.Trailer(firmware));

        var bytes = Build(1, 1);
        bytes[^1] ^= 0xFF;
        var bad = Pro2Image.Parse(bytes);
        Assert.Equal(Pro2ImageKind.OtaBin, bad.Kind);
        Assert.False(bad.TrailerValid);
        Assert.Contains("not the byte-sum", Pro2ImageCheck.Trailer(bad));
    }

    [Fact]
    public void A_file_without_the_label_is_not_a_pro2_image()
    {
        var bytes = Build(1, 1);
        bytes[0] = (byte)'X';
        var e = Assert.Throws<ImageFormatException>(() => Pro2Image.Parse(bytes));
        Assert.Contains("does not start with the label RTL8735B", e.Message);
        Assert.NotSame(BoardFamilies.AmebaPro2, BoardFamilies.Identify(bytes));
    }

    [Fact]
    public void Sizes_are_honoured_and_a_last_block_shorter_than_the_checksum_is_refused()
    {
        Assert.Equal(200_004, Build(1, 1, size: 200_004).Length);
        Assert.Equal(4096 * 3 + 100, Build(1, 1, size: 4096 * 3 + 100).Length);
        var e = Assert.Throws<ImageFormatException>(() => Build(1, 1, size: 4096 * 3 + 2));
        Assert.Contains("shorter than the checksum", e.Message);
        Assert.Contains("too small", Assert.Throws<ImageFormatException>(() => Build(1, 1, size: 100)).Message);
    }

    [Fact]
    public void An_image_fits_a_4_MiB_slot_but_not_the_64_KiB_fw2_of_ota_mode_off()
    {
        var image = Pro2Image.Parse(Build(1, 1, size: 0x20000 + 4));
        Assert.Null(Pro2ImageCheck.Fits(image, Pro2PartitionTable.Default(otaMode: true).Fw2));
        Assert.Contains("OTA Mode: Disable", Pro2ImageCheck.Fits(image, Pro2PartitionTable.Default(otaMode: false).Fw2));
        // The board counts whole 4 KiB blocks: 64 KiB of firmware plus the trailer needs 17 blocks.
        Assert.False(Pro2Image.Parse(Build(1, 1, size: 0x10000 + 4)).FitsSlot(0x10000));
        Assert.True(Pro2Image.Parse(Build(1, 1, size: 0x10000)).FitsSlot(0x10000));
    }

    [Theory]
    [InlineData(1, 100, 1, 200, 2, true)]    // newer build into FW2
    [InlineData(1, 100, 1, 200, 1, true)]    // newer build into FW1
    [InlineData(1, 200, 1, 100, 2, false)]   // older build: flashes fine, never boots
    [InlineData(1, 100, 1, 100, 2, true)]    // tie: FW2 wins
    [InlineData(1, 100, 1, 100, 1, false)]   // tie into FW1: FW2 (running) wins
    [InlineData(1, 200, 2, 100, 1, true)]    // a higher manifest version wins whatever the time
    [InlineData(2, 100, 1, 200, 2, false)]
    public void Would_a_board_boot_it(int runningVersion, ulong runningTime, int version, ulong time, int slot, bool boots)
    {
        var running = new Pro2BuildStamp(runningVersion, runningTime);
        var candidate = Pro2Image.Parse(Build(1, time, manifestVersion: version));
        Assert.Equal(boots, Pro2BuildStamp.WouldBoot(running, candidate.Stamp, slot));
        Assert.Equal(boots, Pro2ImageCheck.WouldBoot(candidate, running, slot) is null);
    }

    [Theory]
    [InlineData(0, "FFFFFFFF")]
    [InlineData(1, "FEFFFFFF")]
    [InlineData(8, "00FFFFFF")]
    [InlineData(9, "00FEFFFF")]
    public void Manifest_versions_count_cleared_bits_as_realteks_FE_FF_means_one(int level, string start)
    {
        var bytes = Pro2Version.ForLevel(level);
        Assert.StartsWith(start, Pro2Version.Hex(bytes));
        Assert.Equal(level, Pro2Version.Level(bytes));
    }
}
