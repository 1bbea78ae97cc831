using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Images;

/// <summary>What a USB/DAP upload writes: Default Image 2 signed "new", system data erased (docs/reference section 2, last bullet).</summary>
public class DapUploadTests
{
    private static NorFlash UsedChip()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        new SystemData(flash).SetOtaAddress(0x80000);
        new SystemData(flash).SetRecoveryPins(0xC5);
        flash.Program(0xA000, "RF calibration"u8); // never erase
        return flash;
    }

    [Fact]
    public void An_image2_file_lands_at_0xB000_signed_new_and_system_data_is_erased()
    {
        var flash = UsedChip();
        var ota = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(1), 0x3000)); // unsigned ota.bin

        var result = DapUpload.Write(flash, ImageFile.Parse(ota));

        Assert.Equal(new DapUploadResult(0xB000, 0x3000, 4, false), result);
        var written = flash.Read(0xB000, 0x3000);
        Assert.Equal("81958711"u8.ToArray(), written[8..16]);
        Assert.Equal(ota[16..], written[16..]);
        Assert.Equal(ota[..8], written[..8]);
        Assert.True(flash.Read(0x9000, 0x1000).All(b => b == 0xFF));
        Assert.Equal("RF calibration"u8.ToArray(), flash.Read(0xA000, 14));
        Assert.Equal(0xB000u, BootLoader.Boot(flash, PinLevels.AllLow).Booted?.Address);
    }

    [Fact]
    public void A_ram_all_is_written_from_address_zero_except_the_rf_calibration_sector()
    {
        var flash = UsedChip();
        var ram2 = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(4), 0x2000, Signed: true));
        var ramAll = RamAll.Build(ram2);

        var result = DapUpload.Write(flash, ImageFile.Parse(ramAll));

        Assert.True(result.WroteImage1);
        Assert.Equal(ramAll.Length, result.BytesWritten);
        Assert.Equal(ramAll[..0xA000], flash.Read(0, 0xA000));
        Assert.Equal("RF calibration"u8.ToArray(), flash.Read(0xA000, 14));
        Assert.Equal(ram2, flash.Read(0xB000, ram2.Length));
        Assert.Equal(SystemData.None, new SystemData(flash).OtaAddress);
        Assert.Equal(0xFFFFFFFFu, new SystemData(flash).RecoveryPinsWord);
        var boot = BootLoader.Boot(flash, PinLevels.AllLow);
        Assert.Equal(4u, boot.Booted?.Body.Sketch?.Version);
    }

    [Fact]
    public void An_unsigned_ram2_inside_a_ram_all_is_signed_new_on_flash()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        var ram2 = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(1), 0x1000));
        DapUpload.Write(flash, ImageFile.Parse(RamAll.Build(ram2)));
        Assert.Equal("81958711"u8.ToArray(), flash.Read(0xB008, 8));
    }

    [Fact]
    public void An_image_that_does_not_fit_the_chip_is_refused_before_writing()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        var big = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(1), FlashLayout.OneMiB));

        var e = Assert.Throws<ImageFormatException>(() => DapUpload.Write(flash, ImageFile.Parse(big)));

        Assert.Equal("the image (1048576 bytes at 0xb000) does not fit this 1024 KiB chip", e.Message);
        Assert.Equal(1, flash.OperationCount); // only BlankChip's Image 1 header
    }
}
