using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Boot;

/// <summary>What <c>flash info</c> is built from: system data decoded, images found, the boot with the pin inactive and active.</summary>
public class FlashReportTests
{
    private static NorFlash AfterOta()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        Chip.Write(flash, 0xB000, Chip.Image(1, 0x2000, "old"));
        Chip.Write(flash, 0x80000, Chip.Image(2, 0x3000, "new"));
        new SystemData(flash).SetOtaAddress(0x80000);
        new SystemData(flash).SetRecoveryPins(0xC5);
        return flash;
    }

    [Fact]
    public void Decodes_system_data_and_finds_both_images()
    {
        var report = FlashReport.Inspect(AfterOta());

        Assert.True(report.HasImage1Header);
        Assert.Equal(0xB000u, report.DefaultImage2Address);
        Assert.Equal(0x80000u, report.OtaAddressWord);
        Assert.False(report.Pin0.IsUsed);
        Assert.Equal(0xC5, report.Pin1.Raw);
        Assert.Equal([(0xB000u, "Default Image 2"), (0x80000u, "OTA image")], report.Images.Select(i => (i.Image.Address, i.Role)));
    }

    [Fact]
    public void Boots_the_ota_image_with_the_pin_inactive_and_the_old_image_with_it_active()
    {
        var report = FlashReport.Inspect(AfterOta());

        Assert.Equal(0x80000u, report.BootPinInactive.Booted?.Address);
        Assert.Equal("no recovery pin is active, so the NEW image is preferred; chose 0x80000 (NEW)", report.BootPinInactive.Reason);
        Assert.Equal(0xB000u, report.BootPinActive?.Booted?.Address);
        Assert.Equal("recovery pin PE_5 is at its active level, so the OLD image is preferred; chose 0xb000 (OLD)", report.BootPinActive?.Reason);
    }

    [Fact]
    public void Without_a_recovery_pin_there_is_no_active_boot()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        Chip.Write(flash, 0xB000, Chip.Image(1, 0x2000, "new"));
        var report = FlashReport.Inspect(flash);
        Assert.Null(report.BootPinActive);
        Assert.Single(report.Images);
    }

    [Fact]
    public void The_reason_says_when_the_preferred_kind_of_image_is_missing()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        Chip.Write(flash, 0xB000, Chip.Image(1, 0x2000, "new"));
        new SystemData(flash).SetRecoveryPins(0xC5);
        var report = FlashReport.Inspect(flash);
        Assert.Equal("recovery pin PE_5 is at its active level, so the OLD image is preferred, but there is none; chose 0xb000 (NEW)",
            report.BootPinActive?.Reason);

        Chip.Write(flash, 0xB000, Chip.Image(1, 0x2000, "old"));
        Assert.Equal("no recovery pin is active, so the NEW image is preferred, but there is none; chose 0xb000 (OLD)",
            FlashReport.Inspect(flash).BootPinInactive.Reason);
    }

    [Fact]
    public void A_stray_image_elsewhere_is_listed()
    {
        var flash = AfterOta();
        Chip.Write(flash, 0xC0000, Chip.Image(9, 0x1000, "new"));
        var report = FlashReport.Inspect(flash);
        Assert.Contains(report.Images, i => i.Image.Address == 0xC0000 && i.Role == "stray image" && i.Image.Body.Sketch?.Version == 9);
    }

    [Fact]
    public void Garbage_flash_is_inspected_without_throwing()
    {
        var bytes = new byte[FlashLayout.OneMiB];
        new Random(5).NextBytes(bytes);
        var report = FlashReport.Inspect(new NorFlash(bytes));
        Assert.False(report.HasImage1Header);
        Assert.NotEmpty(report.BootPinInactive.Log);
    }
}
