using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Boot;

/// <summary>The corners of docs/reference section 4 the table does not reach: boundaries, u32 wrapping, the Image 1 pointer, RTKWin.</summary>
public class BootEdgeCaseTests
{
    private static NorFlash ChipWith(uint defaultAddress, byte[] defaultImage)
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        Chip.Write(flash, defaultAddress, defaultImage);
        return flash;
    }

    [Fact]
    public void Ota_address_exactly_at_default_address_plus_length_is_usable()
    {
        // length(D) = 0x5000 makes D + length(D) = 0x10000: aligned, and T >= D + length(D) holds with equality.
        var flash = ChipWith(0xB000, Chip.Image(1, 0x5000 + 16, "new"));
        Chip.Write(flash, 0x10000, Chip.Image(2, 0x1000, "new"));
        Chip.WriteU32(flash, 0x9000, 0x10000);

        var result = BootLoader.Boot(flash, PinLevels.AllLow);

        Assert.Equal("load NEW fw 1", result.Log[1]);
        Assert.Equal("Flash Image2:Addr 0x10000, Len 4080, Load to SRAM 0x10006000", result.Log[2]);
    }

    [Fact]
    public void Ota_address_one_byte_short_of_default_end_is_invalid()
    {
        var flash = ChipWith(0xB000, Chip.Image(1, 0x5000 + 16 + 1, "new"));
        Chip.WriteU32(flash, 0x9000, 0x10000);

        var result = BootLoader.Boot(flash, PinLevels.AllLow);

        Assert.Equal(["===== Enter Image 1 ====", "OTA addr 0x10000 INVALID", "load NEW fw 0"], result.Log.Take(3));
        Assert.False(result.OtaAddressUsable);
    }

    [Fact]
    public void Default_length_that_wraps_past_4GiB_makes_a_low_ota_address_usable_as_in_C()
    {
        // An unsigned default header whose length is 0xFFFFF000: D + length wraps to 0xA000 in u32 arithmetic.
        var header = new byte[16];
        new SegmentHeader(0xFFFFF000, SegmentHeader.SramLoadAddress, 0xFFFFFFFF, 0xFFFFFFFF).Write(header);
        var flash = ChipWith(0xB000, header);
        Chip.Write(flash, 0x80000, Chip.Image(2, 0x1000, "new"));
        Chip.WriteU32(flash, 0x9000, 0x80000);

        var result = BootLoader.Boot(flash, PinLevels.AllLow);

        Assert.True(result.OtaAddressUsable);
        Assert.Equal("load NEW fw 1", result.Log[1]);
        Assert.Equal(0x80000u, result.Booted?.Address);
    }

    [Fact]
    public void Image1_pointer_of_zero_falls_back_to_length_word_plus_32()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        var image1 = new byte[32];
        Image1Header.Write(image1, 0xBFE0, 0xB000);
        image1[0x18] = 0; image1[0x19] = 0; // the u16 at 0x18 is 0: the loader uses u32 at 0x10 + 32 = 0xC000
        flash.Program(0, image1);
        Chip.Write(flash, 0xC000, Chip.Image(1, 0x1000, "new"));

        var result = BootLoader.Boot(flash, PinLevels.AllLow);

        Assert.Equal(0xC000u, result.DefaultImage2Address);
        Assert.Equal("Flash Image2:Addr 0xc000, Len 4080, Load to SRAM 0x10006000", result.Log[2]);
    }

    [Fact]
    public void Image1_header_points_at_default_image2_by_its_u16_times_1024()
    {
        var image1 = new byte[32];
        Image1Header.Write(image1, 0x7FE0, 0xB000);
        Assert.Equal(0xFFFF002Cu, Chip.U32(image1, 0x18));
        Assert.Equal(0xB000u, Image1Header.DefaultImage2Address(image1));
    }

    [Fact]
    public void Body_without_RTKWin_stops_with_invalid_image2_signature()
    {
        var image = Chip.Image(1, 0x1000, "new");
        image[16 + 4] = (byte)'X'; // "XTKWin"
        var flash = ChipWith(0xB000, image);

        var result = BootLoader.Boot(flash, PinLevels.AllLow);

        Assert.Equal(BootOutcome.InvalidImage2Signature, result.Outcome);
        Assert.Equal(
        [
            "===== Enter Image 1 ====",
            "load NEW fw 0",
            "Flash Image2:Addr 0xb000, Len 4080, Load to SRAM 0x10006000",
            "No Image3",
            "Invalid Image2 Signature",
        ], result.Log);
    }

    [Fact]
    public void Blank_chip_has_no_firmware()
    {
        var result = BootLoader.Boot(BlankChip.Create(FlashLayout.TwoMiB), PinLevels.AllLow);
        Assert.Equal(BootOutcome.NoFirmware, result.Outcome);
        Assert.Equal(["===== Enter Image 1 ====", "Fatal:no fw"], result.Log);
    }

    [Fact]
    public void Entry_point_is_printed_as_eight_hex_digits()
    {
        var image = Chip.Image(1, 0x1000, "new");
        image[16] = 0x49; image[17] = 0x60; image[18] = 0x00; image[19] = 0x00; // entry 0x00006049
        var result = BootLoader.Boot(ChipWith(0xB000, image), PinLevels.AllLow);
        Assert.Equal("Img2 Sign: RTKWin, InfaStart @ 0x00006049", result.Log[4]);
    }
}
