using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Boot;

/// <summary>The three situations of the Ameba OTA tutorial (docs/reference section 4, last paragraph), on a real flash file.</summary>
public class TutorialScenarioTests
{
    private const int V1Size = 0x3000, V2Size = 0x5000;
    private static readonly PinLevels Pin18High = new() { [new ChipPin(0x45)] = PinLevel.High }; // D18 = PE_5

    private static string[] BootLog(uint address, int length, bool isNew, bool fromOta) =>
    [
        "===== Enter Image 1 ====",
        $"load {(isNew ? "NEW" : "OLD")} fw {(fromOta ? 1 : 0)}",
        $"Flash Image2:Addr 0x{address:x}, Len {length}, Load to SRAM 0x10006000",
        "No Image3",
        "Img2 Sign: RTKWin, InfaStart @ 0x10006049",
        "===== Enter Image 2 ====",
    ];

    /// <summary>Scenario (i): a blank chip after a USB/DAP upload of v1 (ram_2.p.bin), persisted and reloaded.</summary>
    private static NorFlash AfterDapUpload(TempDir dir)
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        // A previous life left an OTA address behind; DAP erases system data.
        flash.ProgramU32(0x9000, 0x80000);
        var v1 = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(1, AppliesVersion1Settings: true), V1Size, Signed: true));
        DapUpload.Write(flash, ImageFile.Parse(v1));
        FlashFile.Save(flash, dir.File("board.bin"));
        return FlashFile.Load(dir.File("board.bin"));
    }

    /// <summary>What v1's setup() and the OTA receiver do to flash when v2 arrives (docs/reference sections 3 and 6).</summary>
    private static void OtaUpdateToV2(NorFlash flash)
    {
        var system = new SystemData(flash);
        system.SetOtaAddress(0x80000);
        system.SetRecoveryPins(0x80 | 0x45); // setRecoverPin(18): PE_5, active HIGH

        var ota = ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(2), V2Size)); // ota.bin: unsigned
        for (int s = 0; s < (ota.Length + 4095) / 4096; s++) flash.EraseSector(0x80000 + (uint)s * 4096);
        for (int offset = 0; offset < ota.Length; offset += 512)
            flash.Program(0x80000 + (uint)offset, ota.AsSpan(offset, Math.Min(512, ota.Length - offset)));
        flash.ProgramU32(0x80008, 0x35393138);
        flash.ProgramU32(0x8000C, 0x31313738);
        flash.ProgramU32(0xB008, 0x35393130); // mark Default Image 2 "old" over "new", without an erase
    }

    [Fact]
    public void I_after_usb_dap_upload_the_default_image2_at_0xB000_boots()
    {
        using var dir = new TempDir();
        var flash = AfterDapUpload(dir);

        var result = BootLoader.Boot(flash, PinLevels.AllLow);

        Assert.Equal(0xFFFFFFFFu, new SystemData(flash).OtaAddress);
        Assert.Equal(BootLog(0xB000, V1Size - 16, isNew: true, fromOta: false), result.Log);
        Assert.Equal(1u, result.Booted?.Body.Sketch?.Version);
    }

    [Fact]
    public void Ii_after_an_ota_with_the_recovery_pin_inactive_the_ota_image_boots()
    {
        using var dir = new TempDir();
        var flash = AfterDapUpload(dir);
        OtaUpdateToV2(flash);
        FlashFile.Save(flash, dir.File("board.bin"));
        flash = FlashFile.Load(dir.File("board.bin"));

        var result = BootLoader.Boot(flash, PinLevels.AllLow);

        Assert.Equal(SignatureState.Old, FlashImage.Read(flash, 0xB000).Signature);
        Assert.Equal(BootLog(0x80000, V2Size - 16, isNew: true, fromOta: true), result.Log);
        Assert.Contains("Flash Image2:Addr 0x80000", result.Log[2]);
        Assert.Equal(2u, result.Booted?.Body.Sketch?.Version);
    }

    [Fact]
    public void Iii_recovery_pin_18_high_boots_the_old_image_and_releasing_it_boots_the_ota_image_again()
    {
        using var dir = new TempDir();
        var flash = AfterDapUpload(dir);
        OtaUpdateToV2(flash);
        var before = flash.Contents.ToArray();

        var held = BootLoader.Boot(flash, Pin18High);
        Assert.Equal(BootLog(0xB000, V1Size - 16, isNew: false, fromOta: false), held.Log);
        Assert.Equal(1u, held.Booted?.Body.Sketch?.Version);
        Assert.True(held.RecoveryForced);

        var released = BootLoader.Boot(flash, PinLevels.AllLow);
        Assert.Equal(BootLog(0x80000, V2Size - 16, isNew: true, fromOta: true), released.Log);
        Assert.Equal(2u, released.Booted?.Body.Sketch?.Version);
        Assert.Equal(before, flash.Contents.ToArray()); // booting never changes flash: the OTA image is never deleted
    }
}
