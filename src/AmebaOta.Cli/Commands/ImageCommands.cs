using System.CommandLine;
using AmebaOta.Cli.Commands.OtaUi;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.AmebaPro2;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Images;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota image make|info</c>.</summary>
public static class ImageCommands
{
    public static Command Build()
    {
        var image = new Command("image", "Create and inspect firmware image files (Ameba1: ota.bin, ram_2.p.bin, ram_2.ns.bin, ram_all.bin; AmebaD: km0_km4_image2.bin, OTA_All.bin; AmebaPro2: ota.bin, firmware.bin).");
        image.Add(Make());
        image.Add(AmebaDImageCommands.OtaAll());
        image.Add(Info());
        return image;
    }

    private static Command Make()
    {
        var version = new Option<uint>("--version") { Description = "Sketch version the image prints (\"This is version N\")", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "File to write", Required = true };
        var name = new Option<string>("--name") { Description = "mDNS device name the sketch advertises", DefaultValueFactory = _ => SketchDescriptor.DefaultDeviceName };
        var port = new Option<ushort?>("--port") { Description = "OTA port the sketch listens on (default: 5000 on Ameba1, 8082 on AmebaD)" };
        var board = new Option<string?>("--board") { Description = "Board variant: rtl8195a (default) or rtl8710; rtl8721d (or an AmebaD board: bw16, amb21 … amb26) means --family amebad; rtl8735b (amb82-mini) means --family amebapro2" };
        var family = FamilyOption.Create("Image format: ameba1 (ota.bin, default), amebad (km0_km4_image2.bin, as the AmebaD Arduino build makes it) or amebapro2 (ota.bin with the RTL8735B manifest)");
        var manifestVersion = new Option<int?>("--manifest-version") { Description = "amebapro2: the manifest's VERSION, 0 to 256 (default 1: FE FF…, what every Arduino build carries); a higher one always boots over a lower one" };
        var timestamp = new Option<string?>("--timestamp") { Description = "amebapro2: the manifest's TIMST, Unix seconds or a UTC date and time such as 2025-01-31T15:19:16Z (default: now, as the build stamps it); with equal versions the newer boots" };
        var firmwareBin = new Option<bool>("--firmware-bin") { Description = "amebapro2: write firmware.bin, without the checksum trailer ota.bin has" };
        var otaAll = new Option<bool>("--ota-all") { Description = "AmebaD: write the OTA_All.bin (the 32-byte OTA header, then the image) instead of km0_km4_image2.bin" };
        var pin = new Option<int?>("--recovery-pin") { Description = "Arduino recovery pin the sketch configures (default: 18 on rtl8195a, 17 on rtl8710)" };
        var mode = new Option<string>("--mode") { Description = "Sketch: basic (ota_basic, blocking), non-block (ota_non_block, background OTA thread), or one that pulls its update: cloud (ota_cloud: /check.txt then /ota.bin), sdk-local (update_ota_local, raw TCP), sdk-http (http_update_ota), ota-http (the OTA UI client: AmebaD OTA_Http, AmebaPro2 OTA; the only one, and the default, on amebapro2)", DefaultValueFactory = _ => "basic" };
        var server = new Option<string?>("--server") { Description = "For cloud, sdk-local, sdk-http: the server the sketch pulls from, HOST:PORT[/RESOURCE] (e.g. 127.0.0.1:8080, 127.0.0.1:8082, 127.0.0.1:8080/ota_sdk.bin); for ota-http: the OTA UI server compiled into the sketch, HOST:PORT (e.g. 192.168.3.14:3000)" };
        var v1 = new Option<bool?>("--v1-settings") { Description = "Whether the sketch applies the version-1 settings (setOtaAddress + setRecoverPin): true or false (default: only when --version is 1)" };
        var ssid = new Option<string>("--ssid") { Description = "Wi-Fi network name the sketch prints", DefaultValueFactory = _ => SketchDescriptor.DefaultSsid };
        var size = new Option<string?>("--size") { Description = "Pad the body so the file is exactly this many bytes (e.g. 524288, 512K, 0x7F000)" };
        var sdram = new Option<bool>("--sdram") { Description = "Add an Image 3 (SDRAM segment) after Image 2" };
        var signed = new Option<bool>("--signed") { Description = "Write the \"new\" signature (ram_2.p.bin style) instead of 0xFF (ota.bin style)" };
        var force = new Option<bool>("--force") { Description = "Overwrite the output file if it exists" };

        var command = new Command("make", "Build a test firmware image whose body carries a sketch descriptor the virtual board runs: an ota.bin (Ameba1), " +
            "or a km0_km4_image2.bin laid out like the AmebaD Arduino build output (--family amebad: KM0 then KM4 image 2, the OTA_Basic sketch).\n" +
            "Example: ameba-ota image make --version 2 --mode non-block -o v2.bin\n" +
            "Example: ameba-ota image make --version 1 --mode cloud --server 127.0.0.1:8080 -o v1.bin\n" +
            "Example: ameba-ota image make --family amebad --version 2 --size 1M -o km0_km4_image2.bin\n" +
            "Example: ameba-ota image make --family amebapro2 --version 2 --server 192.168.3.14:3000 -o ota.bin")
        { version, output, name, port, board, family, pin, mode, v1, ssid, size, sdram, signed, otaAll, force, server, manifestVersion, timestamp, firmwareBin };

        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var boardText = parse.GetValue(board);
            BoardKind boardKind = BoardKind.Rtl8195a;
            if (boardText is not null && !BoardKinds.TryParse(boardText, out boardKind))
                throw new CliError(ExitCodes.Usage, $"unknown board '{boardText}': use {BoardKinds.Ids}");
            var chosen = FamilyOption.Read(parse, family);
            if (chosen is not null && boardText is not null && BoardFamilies.Of(boardKind) != chosen)
                throw new CliError(ExitCodes.Usage, $"--board {boardText} is an {BoardFamilies.Of(boardKind).Id} board, not {chosen.Id}");
            var imageFamily = chosen ?? BoardFamilies.Of(boardKind);
            bool pro2 = imageFamily is AmebaPro2Family;
            if (!pro2 && (parse.GetValue(manifestVersion) is not null || parse.GetValue(timestamp) is not null || parse.GetValue(firmwareBin)))
                throw new CliError(ExitCodes.Usage, "--manifest-version, --timestamp and --firmware-bin are for --family amebapro2 images");
            if (pro2)
            {
                if (parse.GetValue(sdram) || parse.GetValue(signed) || parse.GetValue(otaAll))
                    throw new CliError(ExitCodes.Usage, "--sdram, --signed and --ota-all are not for amebapro2 images");
                boardKind = BoardKind.Rtl8735b;
            }
            if (imageFamily == BoardFamilies.AmebaD)
                return AmebaDImageCommands.Make(parse, new AmebaDImageCommands.MakeOptions(version, output, name, port, pin, mode, v1, ssid, size, sdram, signed, otaAll, force, server));
            if (parse.GetValue(otaAll)) throw new CliError(ExitCodes.Usage, "--ota-all is for AmebaD images (--family amebad)");
            string modeText = pro2 && parse.GetResult(mode) is not { Implicit: false } ? "ota-http" : parse.GetValue(mode)!;
            if (!SketchModes.TryParse(modeText, out var sketchMode))
                throw new CliError(ExitCodes.Usage, $"unknown mode '{modeText}': use basic, non-block, cloud, sdk-local, sdk-http or ota-http");
            if (pro2 && sketchMode != SketchMode.OtaHttp)
                throw new CliError(ExitCodes.Usage, "an amebapro2 image runs the ota-http sketch (the OTA example)");
            string? serverText = parse.GetValue(server);
            if (serverText is not null)
            {
                if (!SketchModes.Pulls(sketchMode))
                    throw new CliError(ExitCodes.Usage, $"--server is for the sketches that pull their update (--mode cloud, sdk-local, sdk-http or ota-http), not {SketchModes.Id(sketchMode)}");
                if (AmebaOta.Families.Ameba1.Pull.PullServerAddress.TryParse(serverText, out string? serverError) is not { } address) throw new CliError(ExitCodes.Usage, serverError!);
                if (sketchMode == SketchMode.OtaHttp && address.Resource.Length > 0)
                    throw new CliError(ExitCodes.Usage, $"--server {serverText}: the OTA UI sketch's server is HOST:PORT (it always asks for /api/uploadfile)");
            }
            else if (SketchModes.Pulls(sketchMode))
            {
                throw new CliError(ExitCodes.Usage, $"--mode {SketchModes.Id(sketchMode)} needs --server HOST:PORT[/RESOURCE]: the server the sketch pulls its update from");
            }
            int? fileSize = null;
            if (parse.GetValue(size) is { } sizeText)
            {
                if (!SizeParsing.TryParse(sizeText, out int s)) throw new CliError(ExitCodes.Usage, $"'{sizeText}' is not a size in bytes");
                fileSize = s;
            }
            uint v = parse.GetValue(version);
            int recovery = parse.GetValue(pin) ?? BoardKinds.DefaultRecoveryPin(boardKind);
            if (recovery != AmebaOta.Pins.RecoveryPin.Unused && AmebaOta.Pins.PinLevels.ResolvePin(recovery.ToString(System.Globalization.CultureInfo.InvariantCulture), AmebaOta.Pins.PinMap.For(boardKind), out _) is { } pinError)
                throw new CliError(ExitCodes.Usage, $"--recovery-pin {recovery}: {pinError}, so setRecoverPin() could not use it");
            var sketch = new SketchDescriptor(v, parse.GetValue(name)!, parse.GetValue(port) ?? SketchDescriptor.DefaultPort, (byte)recovery, boardKind, sketchMode,
                parse.GetValue(v1) ?? (v == 1 && sketchMode != SketchMode.OtaHttp), parse.GetValue(ssid)!, serverText?.Trim());
            if (sketch.Validate() is { } error) throw new CliError(ExitCodes.Usage, error);

            var file = parse.GetValue(output)!;
            if (file.Exists && !parse.GetValue(force))
                throw new CliError(ExitCodes.BadInput, $"'{file.FullName}' already exists; use --force to overwrite it");
            if (pro2)
            {
                var options = new Pro2ImageOptions(sketch, parse.GetValue(manifestVersion) ?? Pro2Version.ArduinoLevel,
                    parse.GetValue(timestamp) is { } when ? Pro2Timestamp.Parse(when, TimeProvider.System) : null, fileSize, !parse.GetValue(firmwareBin));
                if (Pro2ImageBuilder.Validate(options) is { } problem) throw new CliError(ExitCodes.Usage, problem);
                var pro2Bytes = Pro2ImageBuilder.Build(options);
                OutputFile.Write(file, pro2Bytes);
                var built = Pro2Image.Parse(pro2Bytes);
                Console.WriteLine($"wrote {file.Name}: {pro2Bytes.Length} bytes, {built.KindDescription}, {built.Stamp}, {Describe.SketchLine(sketch, null)}");
                foreach (var w in AmebaPro2ImageText.Warnings(built)) Diagnostics.Warning($"{file.Name}: {w}");
                return ExitCodes.Ok;
            }
            var bytes = ImageBuilder.Build(new ImageBuildOptions(sketch, fileSize, parse.GetValue(sdram), parse.GetValue(signed)));
            OutputFile.Write(file, bytes);
            Console.WriteLine($"wrote {file.Name}: {bytes.Length} bytes, {(parse.GetValue(signed) ? "signed new (ram_2.p.bin format)" : "unsigned (ota.bin format)")}, {Describe.SketchLine(sketch, null)}");
            // Made on purpose maybe (to try the upload's refusals), but never silently: say what a board would do with it.
            foreach (var w in ImageWarnings(ImageFile.Parse(bytes))) Diagnostics.Warning($"{file.Name}: {w}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Info()
    {
        var file = new Argument<FileInfo>("file") { Description = "Image file: ota.bin, ram_2.p.bin, ram_2.ns.bin, ram_all.bin (Ameba1), km0_km4_image2.bin, OTA_All.bin (AmebaD), ota.bin, firmware.bin (AmebaPro2), or one made by 'image make'" };
        var json = CommonOptions.Json();
        var server = new Option<string?>("--server")
        {
            Description = "For an image OTA UI boards download (AmebaD OTA_Http, AmebaPro2): ask this OTA UI server for its image as such a board would, " +
                          "and say whether the board would take the answer (exit 2 if not: an AmebaD board cannot take an image from a server that sends " +
                          "content-length in lower case, as Realtek's does; 4 unreachable); http://HOST:PORT, port 3000 if none",
            HelpName = "URL",
        };
        var command = new Command("info", "Show an image file's header, length, load address, signature, RTKWin, Image 3, checksum and sketch.\n" +
            "AmebaD files also show their OTA header and sub-images, and what a board would do with them: which bank, whether it fits, the checksum, the signature it would write, what it would refuse.\n" +
            "AmebaPro2 files show their label, manifest fields (VERSION, TIMST), the trailer check and the slots they fit.\n" +
            "Example: ameba-ota image info build/ota.bin --json\n" +
            "Example: ameba-ota image info OTA_All.bin\n" +
            "Example: ameba-ota image info OTA_All.bin --server http://192.168.1.10:3000")
        { file, json, server };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            bool asJson = parse.GetValue(json);
            if (parse.GetValue(server) is not { } url) return Show(parse, null);
            if (!asJson)
            {
                Show(parse, null);   // the image's lines first, then the server's
                return (await OtaUiServerCheck.CheckAsync(url, parse.GetValue(file)!, cancellationToken)).Finish(json: false);
            }
            // One JSON document: the image's, with what the server answered in it.
            var check = await OtaUiServerCheck.CheckAsync(url, parse.GetValue(file)!, cancellationToken);
            Show(parse, check.Json);
            return check.Finish(json: true);
        }));
        return command;

        int Show(ParseResult parse, OtaUiServerCheckJson? serverCheck)
        {
            var path = parse.GetValue(file)!;
            if (AmebaDImageCommands.IsAmebaD(path)) return AmebaDImageCommands.Info(path, parse.GetValue(json), serverCheck);
            if (Pro2Image.Recognises(ReadStart(path.FullName)))
            {
                var pro2Image = Pro2Image.Load(path.FullName);
                if (parse.GetValue(json))
                    JsonOut.Write(AmebaPro2ImageText.Json(path.Name, pro2Image) with { ServerCheck = serverCheck }, Pro2JsonContext.Default.Pro2ImageInfoJson);
                else foreach (var line in AmebaPro2ImageText.Lines(path.Name, pro2Image)) Console.WriteLine(line);
                return ExitCodes.Ok;
            }
            var image = ImageFile.Load(path.FullName);
            var warnings = ImageWarnings(image);
            if (parse.GetValue(json))
            {
                JsonOut.Write(new ImageInfoJson(path.Name, image.Length, ImageFileKinds.Describe(image.Kind), image.Image2Offset,
                    Describe.Segment(image.Image2), $"0x{image.Body.EntryPoint:x8}", image.Body.HasRtkWin,
                    image.Image3 is { } i3 ? Describe.Segment(i3) : null, $"0x{image.Checksum:x8}", image.Checksum, image.TrailingBytes,
                    Describe.Sketch(image.Body.Sketch), image.Body.SketchError, warnings), CliJsonContext.Default.ImageInfoJson);
                return ExitCodes.Ok;
            }
            foreach (var line in ImageInfoText.Lines(path.Name, image)) Console.WriteLine(line);
            return ExitCodes.Ok;
        }
    }

    /// <summary>The first bytes of a file (to tell its format), or none when it cannot be read (the family's loader then says why).</summary>
    public static byte[] ReadStart(string path, int count = 16)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length == 0) return [];   // special files (FIFOs, devices) report 0 and are never opened
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var bytes = new byte[count];
            return bytes[..stream.ReadAtLeast(bytes, count, throwOnEndOfStream: false)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>What would go wrong sending this file over the air.</summary>
    public static List<string> ImageWarnings(ImageFile image)
    {
        var warnings = new List<string>();
        if (!image.Body.HasRtkWin) warnings.Add("the body lacks RTKWin: a board would refuse to start it");
        if (image.Kind == ImageFileKind.RamAll) warnings.Add("ram_all.bin is for USB/DAP upload; send ota.bin over the air");
        else if (image.Length > AmebaOta.Families.Ameba1.Flash.FlashLayout.MaxOtaImageBeforeEndOfChip)
            warnings.Add($"{image.Length} bytes is over 0x80000: at the default OTA address it would run off a 1 MiB chip");
        else if (image.Length > AmebaOta.Families.Ameba1.Flash.FlashLayout.MaxOtaImageBeforeUserData)
            warnings.Add($"{image.Length} bytes is over 0x7F000: at the default OTA address it would overwrite the FlashMemory sector at 0xFF000");
        return warnings;
    }
}
