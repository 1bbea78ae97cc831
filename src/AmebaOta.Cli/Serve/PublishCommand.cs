using System.CommandLine;
using AmebaOta.Families.Ameba1.Pull;

namespace AmebaOta.Cli.Serve;

/// <summary><c>ameba-ota publish</c>: the static files any web server can serve to the HTTP pull clients.</summary>
public static class PublishCommand
{
    public static Command Build()
    {
        var file = new Argument<FileInfo>("image") { Description = "The image to publish (ota.bin format), checked as upload checks it" };
        var to = new Option<DirectoryInfo>("--to") { Description = "Directory to write ota.bin, check.txt and ota_sdk.bin into (created if missing)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace ota.bin, check.txt and ota_sdk.bin already in the directory" };
        // Its own option, not --force: replacing last week's files must never also publish an image that can brick boards.
        var allowRefused = new Option<bool>("--allow-refused") { Description = "Publish even an image the checks refuse (as upload --force sends one): can brick stock boards" };
        var command = new Command("publish",
            "Write the files a plain web server (nginx, a CDN, object storage) needs to update boards that pull: ota.bin and check.txt for CloudOTA\n" +
            "(ota_cloud), ota_sdk.bin (image + 4-byte checksum trailer) for http_update_ota. Each file is renamed into place whole;\n" +
            "files already there are replaced only with --force, as image make and flash create do; an image the checks refuse is\n" +
            "published only with --allow-refused.\n" +
            "Example: ameba-ota publish v2.bin --to /var/www/ota")
        { file, to, force, allowRefused };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string directory = parse.GetValue(to)!.FullName;
            var existing = new[] { PullPublisher.OtaBin, PullPublisher.CheckTxt, PullPublisher.SdkBin }.Where(n => File.Exists(Path.Combine(directory, n))).ToList();
            if (existing.Count > 0 && !parse.GetValue(force))
                throw new CliError(ExitCodes.BadInput, $"'{directory}' already holds {string.Join(", ", existing)}; use --force to replace {(existing.Count == 1 ? "it" : "them")}");
            var image = PullImage.Load(parse.GetValue(file)!.FullName, parse.GetValue(allowRefused), "--allow-refused publishes it anyway");
            foreach (var w in image.Warnings) Console.Error.WriteLine($"warning: {w}");
            var written = PullPublisher.Publish(image, directory);
            foreach (var path in written) Console.WriteLine($"wrote {path} ({new FileInfo(path).Length} bytes)");
            Console.WriteLine($"check.txt says {image.Checksum}: the byte-sum of ota.bin, which CloudOTA compares with what it wrote to flash");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
