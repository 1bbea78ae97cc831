using AmebaOta.Families;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Families.AmebaD;

/// <summary>The AmebaD boot decision (docs/reference section 11.5): by signature only, OTA2 whenever it is valid.</summary>
public sealed class AmebaDBootTests
{
    private static NorFlash Chip(uint? ota1, uint? ota2)
    {
        var flash = AmebaDBlankChip.Create(AmebaDFlashLayout.ChipSize);
        if (ota1 is { } v1) flash.Program(AmebaDFlashLayout.Ota1, AmebaDImages.Image(v1));
        if (ota2 is { } v2) flash.Program(AmebaDFlashLayout.Ota2, AmebaDImages.Image(v2));
        return flash;
    }

    [Theory]
    [InlineData(1u, null, OtaBank.Ota1, 1u)]
    [InlineData(null, 2u, OtaBank.Ota2, 2u)]
    [InlineData(5u, 2u, OtaBank.Ota2, 2u)]   // both valid: OTA2, even though OTA1 is newer
    [InlineData(2u, 5u, OtaBank.Ota2, 5u)]
    public void The_boot_loader_prefers_ota2_whenever_it_is_valid_and_compares_no_version(uint? ota1, uint? ota2, OtaBank bank, uint version)
    {
        var boot = AmebaDBootLoader.Boot(Chip(ota1, ota2));
        Assert.Equal(AmebaDBootOutcome.Started, boot.Outcome);
        Assert.Equal(bank, boot.Bank);
        Assert.Equal(version, boot.Sketch?.Version);
        Assert.Equal(bank == OtaBank.Ota2 ? AmebaDBootLoader.Ota2Use : AmebaDBootLoader.Ota1Use, boot.Log[0]);
        Assert.Equal(ota1 is not null && bank == OtaBank.Ota2, boot.Ota1Shadowed);
    }

    [Fact]
    public void The_log_names_the_bank_then_each_cores_ram_image_pattern_and_entry()
    {
        var boot = AmebaDBootLoader.Boot(Chip(null, 2));
        Assert.Equal(
        [
            "[MODULE_BOOT-LEVEL_INFO]:OTA2 USE",
            "[MODULE_BOOT-LEVEL_INFO]:IMG2 DATA[0x8106840:1024:0x83000]",
            "[MODULE_BOOT-LEVEL_INFO]:IMG2 SIGN[RTKWin(8300c)]",
            "[MODULE_BOOT-LEVEL_INFO]:IMG2 ENTRY[0xc000101:0x0]",
            "[MODULE_BOOT-LEVEL_INFO]:IMG2 DATA[0x8107080:136:0x10005000]",
            "[MODULE_BOOT-LEVEL_INFO]:IMG2 SIGN[RTKWin(1000500c)]",
            "[MODULE_BOOT-LEVEL_INFO]:IMG2 ENTRY[0xe000101:0x0]",
        ], boot.Log);
    }

    [Fact]
    public void No_valid_bank_is_img2_invalid()
    {
        var boot = AmebaDBootLoader.Boot(Chip(null, null));
        Assert.Equal(AmebaDBootOutcome.NoFirmware, boot.Outcome);
        Assert.Equal([AmebaDBootLoader.Image2Invalid], boot.Log);
        Assert.Contains("neither bank starts with 81958711", boot.Reason);
    }

    [Fact]
    public void A_cleared_signature_makes_a_bank_invalid_and_the_other_boots()
    {
        var flash = Chip(1, 2);
        flash.Program(AmebaDFlashLayout.Ota2, [0x00, 0xFF, 0xFF, 0xFF]);
        Assert.Equal(OtaBank.Ota1, AmebaDBootLoader.Boot(flash).Bank);
    }

    [Fact]
    public void A_ram_image_without_rtkwin_stops_the_boot_with_img2_sign_invalid()
    {
        var image = AmebaDImages.Image(2);
        var parsed = Km0Km4Image.Parse(image);
        var ram = parsed.Km4.Single(s => s.Kind == SubImageKind.Ram);
        image[ram.BodyOffset + Km0Km4Image.EntryLength] = (byte)'X';
        var flash = AmebaDBlankChip.Create(AmebaDFlashLayout.ChipSize);
        flash.Program(AmebaDFlashLayout.Ota2, image);
        var boot = AmebaDBootLoader.Boot(flash);
        Assert.Equal(AmebaDBootOutcome.InvalidSignature, boot.Outcome);
        Assert.Equal(AmebaDBootLoader.SignInvalid, boot.Log[^1]);
        Assert.Null(boot.Sketch);
    }

    [Fact]
    public void A_bank_with_only_the_km0_image_stops_at_the_km4_boot()
    {
        var flash = AmebaDBlankChip.Create(AmebaDFlashLayout.ChipSize);
        flash.Program(AmebaDFlashLayout.Ota1, AmebaDImages.Image(1)[..0x1000]);
        var boot = AmebaDBootLoader.Boot(flash);
        Assert.Equal(AmebaDBootOutcome.NoKm4Image, boot.Outcome);
        Assert.Equal(AmebaDBootLoader.SizeInvalid, boot.Log[^1]);
    }

    [Fact]
    public void An_erased_chip_has_no_boot_image_and_is_nobodys()
    {
        var flash = new NorFlash(AmebaDFlashLayout.ChipSize);
        Assert.Equal(AmebaDBootOutcome.NoBootImage, AmebaDBootLoader.Boot(flash).Outcome);
        Assert.Null(BoardFamilies.IdentifyFlash(flash.Contents));
        Assert.Same(BoardFamilies.AmebaD, BoardFamilies.IdentifyFlash(AmebaDBlankChip.Create(AmebaDFlashLayout.ChipSize).Contents));
        Assert.Same(BoardFamilies.Ameba1, BoardFamilies.IdentifyFlash(TestImages.ChipWith(TestImages.Image(1)).Contents));
    }

    [Fact]
    public void A_usb_upload_after_an_ota_into_ota2_writes_ota1_and_the_board_keeps_booting_ota2()
    {
        var flash = Chip(null, 2);
        var result = AmebaDUsbUpload.Write(flash, AmebaDImageFile.Parse(AmebaDImages.Image(3)));
        Assert.True(result.Ota2StillValid);
        var boot = AmebaDBootLoader.Boot(flash);
        Assert.Equal(OtaBank.Ota2, boot.Bank);
        Assert.Equal(2u, boot.Sketch?.Version);
        Assert.True(boot.Ota1Shadowed);
        Assert.Equal(3u, boot.Ota1.Image.Sketch?.Version);
        Assert.Contains("erase the flash", AmebaDBootResult.TrapFix);

        AmebaDUsbUpload.Write(flash, AmebaDImageFile.Parse(AmebaDImages.Image(3)), eraseAll: true);
        boot = AmebaDBootLoader.Boot(flash);
        Assert.Equal(OtaBank.Ota1, boot.Bank);
        Assert.Equal(3u, boot.Sketch?.Version);
    }

    [Fact]
    public void The_family_boots_through_the_seam_and_ignores_pins()
    {
        var flash = Chip(1, null);
        var boot = BoardFamilies.AmebaD.Boot(flash, PinLevels.AllLow);
        Assert.True(boot.Started);
        Assert.Equal(AmebaDFlashLayout.Ota1, boot.ChosenAddress);
        Assert.Equal(1u, boot.Sketch?.Version);
    }
}
