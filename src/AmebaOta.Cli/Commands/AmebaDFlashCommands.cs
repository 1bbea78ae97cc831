using AmebaOta.Cli.Output;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Flash;

namespace AmebaOta.Cli.Commands;

/// <summary>The AmebaD side of <c>ameba-ota flash</c>: <c>dap</c> (a USB upload into OTA1) and <c>boot</c>.</summary>
public static class AmebaDFlashCommands
{
    public static int Dap(FileInfo path, NorFlash flash, FileInfo imagePath, bool eraseAll, bool force)
    {
        if (!AmebaDImageCommands.IsAmebaD(imagePath))
            throw new CliError(ExitCodes.BadInput, $"'{imagePath.Name}' is not an AmebaD image and '{path.Name}' is an AmebaD chip: a USB upload writes a km0_km4_image2.bin");
        var image = AmebaDImageFile.Load(imagePath.FullName);
        var result = AmebaDUsbUpload.Write(flash, image, eraseAll);
        FlashFile.Save(flash, path.ToString(), force);
        Console.WriteLine($"wrote the boot images and {result.BytesWritten} bytes into OTA1 (0x08006000), as a USB upload does " +
            $"({result.SectorsErased} sectors erased{(eraseAll ? ": the whole chip" : "")})");
        if (image.Kind == AmebaDImageKind.OtaAll) Console.WriteLine($"'{imagePath.Name}' is an OTA_All.bin: its image part was written, without the 32-byte OTA header");
        if (image.Sketch is { } s) Console.WriteLine($"sketch: {Describe.SketchLine(s, null)}");
        if (result.Ota2StillValid) Diagnostics.Warning($"{path.Name}: OTA2 still holds a valid image, so the board keeps booting OTA2, not what was just written: {AmebaDBootResult.TrapFix}");
        return ExitCodes.Ok;
    }

    public static int Boot(NorFlash flash, bool pinsGiven, bool json)
    {
        if (pinsGiven) throw new CliError(ExitCodes.Usage, "--pin: an AmebaD boot loader reads no pin (the forced-OTA1 GPIO is disabled in Realtek's boot image)");
        var result = AmebaDBootLoader.Boot(flash);
        if (json) JsonOut.Write(AmebaDFlashInfoText.Boot(result), CliJsonContext.Default.AmebaDBootJson);
        else foreach (var line in result.Log) Console.WriteLine(line);
        if (result.Ota1Shadowed && !json) Diagnostics.Warning(AmebaDBootResult.TrapFix);
        return result.Started ? ExitCodes.Ok : ExitCodes.BootFailed;
    }
}
