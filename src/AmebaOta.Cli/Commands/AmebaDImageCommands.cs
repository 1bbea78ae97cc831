using System.CommandLine;
using AmebaOta.Cli.Output;
using AmebaOta.Families.AmebaD;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Images;

namespace AmebaOta.Cli.Commands;

/// <summary>The AmebaD side of <c>ameba-ota image</c>: <c>make --family amebad</c>, <c>ota-all</c>, and <c>info</c> of AmebaD files.</summary>
public static class AmebaDImageCommands
{
    /// <summary>The options of <c>image make</c>, passed on when the image is an AmebaD one.</summary>
    public sealed record MakeOptions(Option<uint> Version, Option<FileInfo> Output, Option<string> Name, Option<ushort?> Port, Option<int?> RecoveryPin,
        Option<string> Mode, Option<bool?> V1, Option<string> Ssid, Option<string?> Size, Option<bool> Sdram, Option<bool> Signed, Option<bool> OtaAll,
        Option<bool> Force, Option<string?> Server);

    /// <summary><c>image make --family amebad</c>: a km0_km4_image2.bin (or, with --ota-all, its OTA_All.bin) running OTA_Basic, or OTA_Http (--mode ota-http --server HOST:PORT).</summary>
    public static int Make(ParseResult parse, MakeOptions o)
    {
        string modeText = parse.GetValue(o.Mode)!;
        if (!SketchModes.TryParse(modeText, out var mode) || mode is not (SketchMode.Basic or SketchMode.OtaHttp))
            throw new CliError(ExitCodes.Usage, $"--mode {modeText}: an AmebaD test image runs the OTA_Basic sketch (--mode basic) or OTA_Http (--mode ota-http)");
        string? server = parse.GetValue(o.Server)?.Trim();
        if (mode == SketchMode.OtaHttp)
        {
            if (server is null) throw new CliError(ExitCodes.Usage, "--mode ota-http needs --server HOST:PORT: the OTA UI server compiled into the sketch");
            if (Families.Ameba1.Pull.PullServerAddress.TryParse(server, out string? serverError) is not { Resource.Length: 0 })
                throw new CliError(ExitCodes.Usage, serverError ?? $"--server {server}: the OTA UI sketch's server is HOST:PORT (it always asks for /api/uploadfile)");
        }
        foreach (var (option, why) in new (Option, string)[]
        {
            (o.RecoveryPin, "AmebaD boards have no recovery pin (the boot loader's forced-OTA1 GPIO is disabled)"),
            (o.V1, "the version-1 settings (setOtaAddress, setRecoverPin) are Ameba1's"),
            (o.Sdram, "Image 3 is Ameba1's"),
            (o.Signed, "an AmebaD image is always signed 81958711, as the build makes it"),
        })
            if (parse.GetResult(option) is { Implicit: false }) throw new CliError(ExitCodes.Usage, $"{option.Name} is not for AmebaD images: {why}");
        if (mode == SketchMode.Basic && server is not null)
            throw new CliError(ExitCodes.Usage, "--server is not for the AmebaD OTA_Basic sketch: it takes a push and pulls from no server (--mode ota-http does)");
        int? fileSize = null;
        if (parse.GetValue(o.Size) is { } sizeText)
        {
            if (!SizeParsing.TryParse(sizeText, out int s)) throw new CliError(ExitCodes.Usage, $"'{sizeText}' is not a size in bytes");
            fileSize = s;
        }
        var sketch = new SketchDescriptor(parse.GetValue(o.Version), parse.GetValue(o.Name)!, parse.GetValue(o.Port) ?? (mode == SketchMode.OtaHttp ? (ushort)Protocol.OtaUi.OtaUiTrigger.Port : AmebaDFamily.OtaPort),
            Pins.RecoveryPin.Unused, BoardKind.Rtl8721d, mode, false, parse.GetValue(o.Ssid)!, mode == SketchMode.OtaHttp ? server : null);
        if (sketch.Validate() is { } error) throw new CliError(ExitCodes.Usage, error);

        var file = parse.GetValue(o.Output)!;
        if (file.Exists && !parse.GetValue(o.Force))
            throw new CliError(ExitCodes.BadInput, $"'{file.FullName}' already exists; use --force to overwrite it");
        var image = AmebaDImageFile.Parse(AmebaDImageBuilder.Build(new AmebaDImageBuildOptions(sketch, fileSize)));
        if (parse.GetValue(o.OtaAll)) image = image.ToOtaAll();
        OutputFile.Write(file, image.Bytes);
        Console.WriteLine($"wrote {file.Name}: {image.Length} bytes, {image.KindDescription}, {Describe.SketchLine(sketch, null)}");
        if (image.Kind == AmebaDImageKind.Km0Km4Image2)
            Console.WriteLine($"over the air a board takes it as an OTA_All.bin: 'ameba-ota image ota-all {file.Name} -o OTA_All.bin' writes one (upload wraps it on the fly)");
        foreach (var r in Families.AmebaD.Push.AmebaDPreflight.Check(image).Refusals) Diagnostics.Warning($"{file.Name}: {r}");
        return ExitCodes.Ok;
    }

    /// <summary><c>image ota-all</c>: wraps a km0_km4_image2.bin in the 32-byte OTA header, byte for byte as Realtek's ImageTool does.</summary>
    public static Command OtaAll()
    {
        var input = new Argument<FileInfo>("image") { Description = "An AmebaD km0_km4_image2.bin (the Arduino build output, or one made by 'image make --family amebad')" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "File to write (OTA_All.bin)", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite the output file if it exists" };
        var command = new Command("ota-all",
            "Make the OTA_All.bin an AmebaD board takes over the air from a km0_km4_image2.bin, on any OS: the 32-byte OTA header " +
            "(FwVer 0xFFFFFFFF, HdrNum 1, \"OTA1\", 24, the image's byte sum, its length, offset 32, 0xFFFFFFFF), then the image: byte for byte what Realtek's Windows-only ImageTool makes.\n" +
            "Example: ameba-ota image ota-all km0_km4_image2.bin -o OTA_All.bin") { input, output, force };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(input)!;
            var image = AmebaDImageFile.Load(path.FullName);
            if (image.Kind == AmebaDImageKind.OtaAll)
                throw new CliError(ExitCodes.BadInput, $"'{path.Name}' is already an OTA_All.bin (it has the OTA header); it goes over the air as it is");
            var file = parse.GetValue(output)!;
            if (file.Exists && !parse.GetValue(force))
                throw new CliError(ExitCodes.BadInput, $"'{file.FullName}' already exists; use --force to overwrite it");
            var ota = image.ToOtaAll();
            OutputFile.Write(file, ota.Bytes);
            var h = ota.Header!.Value;
            Console.WriteLine($"wrote {file.Name}: {ota.Length} bytes, OTA header + {path.Name} ({h.ImgLen} bytes, checksum 0x{h.Checksum:x8})");
            foreach (var r in Families.AmebaD.Push.AmebaDPreflight.Check(ota).Refusals) Diagnostics.Warning($"{file.Name}: {r}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>True when the file is there and starts like an AmebaD file (anything else goes to Ameba1's parser, which says what is wrong).</summary>
    public static bool IsAmebaD(FileInfo path)
    {
        try
        {
            if (!path.Exists || path.Length is 0 or > AmebaDImageFile.MaxFileLength) return false;
            using var stream = new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var bytes = new byte[path.Length];
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            return AmebaDImageFile.LooksLikeAmebaD(bytes.AsSpan(0, read));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary><c>image info</c> of an AmebaD file.</summary>
    public static int Info(FileInfo path, bool json, OtaUiServerCheckJson? serverCheck = null)
    {
        var image = AmebaDImageFile.Load(path.FullName);
        if (json) JsonOut.Write(AmebaDImageInfoText.Json(path.Name, image) with { ServerCheck = serverCheck }, CliJsonContext.Default.AmebaDImageInfoJson);
        else foreach (var line in AmebaDImageInfoText.Lines(path.Name, image)) Console.WriteLine(line);
        return ExitCodes.Ok;
    }
}
