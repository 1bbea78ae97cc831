using AmebaOta.Families.AmebaD;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Tests.Support;

/// <summary>AmebaD images and chips for tests, built with the real builders.</summary>
public static class AmebaDImages
{
    /// <summary>The OTA_Basic test sketch of an AmebaD board, version <paramref name="version"/>.</summary>
    public static SketchDescriptor Sketch(uint version, string name = SketchDescriptor.DefaultDeviceName) =>
        new(version, name, AmebaDFamily.OtaPort, Pins.RecoveryPin.Unused, BoardKind.Rtl8721d, SketchMode.Basic);

    /// <summary>A km0_km4_image2.bin.</summary>
    public static byte[] Image(uint version, int? size = null) => AmebaDImageBuilder.Build(new AmebaDImageBuildOptions(Sketch(version), size));

    /// <summary>An OTA_All.bin.</summary>
    public static byte[] OtaAll(uint version, int? size = null) => AmebaDImageFile.Parse(Image(version, size)).ToOtaAll().Bytes;

    /// <summary>A 2 MiB chip after a USB upload of <paramref name="image"/> (OTA1), OTA2 erased.</summary>
    public static NorFlash ChipWith(byte[] image)
    {
        var flash = AmebaDBlankChip.Create(AmebaDFlashLayout.ChipSize);
        AmebaDUsbUpload.Write(flash, AmebaDImageFile.Parse(image));
        return flash;
    }
}
