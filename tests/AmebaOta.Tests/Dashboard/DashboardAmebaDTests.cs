using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Dashboard;

/// <summary>
/// The dashboard updating AmebaD boards: a <c>device farm --family amebad:2</c> (advertising 5000, listening on 8082) and a
/// dashboard attached to it, in a private namespace; an <c>OTA_All.bin</c> dropped and run from the API as the page does.
/// </summary>
public sealed class DashboardAmebaDTests
{
    [Fact]
    public async Task A_run_sends_OTA_All_to_8082_sees_each_board_come_back_and_records_amebad_in_the_history()
    {
        using var dir = new TempDir();
        using var network = await PrivateNetwork.CreateAsync();
        File.WriteAllBytes(dir.File("v1.bin"), AmebaDImages.Image(1));
        File.WriteAllBytes(dir.File("OTA_All.bin"), AmebaDImages.OtaAll(2, 64 * 1024));
        string socket = dir.File("farm.sock");
        await using var farm = FarmProcess.StartIn(network, dir.Path, "--family", "amebad:2", "--image", "v1.bin", "--interface", "lo", "--control", socket,
            "--sketch-delays", "short", "--flash-timing", "instant");
        await farm.WaitForAllListeningAsync(2);
        await using var dashboard = await DashboardProcess.StartAsync(network, dir.Path, "--port", "8080", "--interface", "lo", "--attach", socket,
            "--db", dir.File("history.db"));
        const string Client = """
            import json, sys, time, urllib.request as u
            base, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
            for _ in range(300):
                boards = [b for b in json.load(u.urlopen(base + "api/boards"))["boards"] if b["online"]]
                if len(boards) == 2: break
                time.sleep(0.1)
            print("boards", sorted((b["family"], b["port"]) for b in boards))
            auth = {"Authorization": "Bearer " + token}
            image = json.load(u.urlopen(u.Request(base + "api/images?name=OTA_All.bin", data=open(path, "rb").read(), headers=auth)))
            print("image", image["family"], image["refusal"])
            run = u.Request(base + "api/runs", data=json.dumps({"image": image["id"], "pattern": "MyAmeba-*"}).encode(),
                            headers={**auth, "Content-Type": "application/json"})
            print("run", json.load(u.urlopen(run))["ok"])
            for _ in range(600):
                uploads = json.load(u.urlopen(base + "api/history"))["uploads"]
                if len(uploads) == 2 and all(x["endedAt"] for x in uploads): break
                time.sleep(0.1)
            for x in sorted(uploads, key=lambda x: x["board"]):
                print("upload", x["board"], x["port"], x["family"], x["outcome"], x["error"])
            """;
        string output = await network.RunAsync("python3", "-c", Client, dashboard.Url, dashboard.Token, dir.File("OTA_All.bin"));

        Assert.Contains("boards [('amebad', 5000), ('amebad', 5000)]", output);
        Assert.Contains("image amebad None", output);
        Assert.Contains("run True", output);
        Assert.Contains("upload MyAmeba-001 8082 amebad rebooted None", output);
        Assert.Contains("upload MyAmeba-002 8082 amebad rebooted None", output);
        foreach (string board in new[] { "MyAmeba-001", "MyAmeba-002" })
        {
            await farm.Serial.WaitForAsync($"[{board}] OTA image(08106000) checksum ok!!!");
            await farm.Serial.WaitForAsync($"[{board}] [MODULE_BOOT-LEVEL_INFO]:OTA2 USE");
        }
    }

    [Fact]
    public async Task A_farm_of_mixed_families_runs_in_the_dashboard_and_a_run_updates_only_the_boards_of_the_images_family()
    {
        using var dir = new TempDir();
        using var network = await PrivateNetwork.CreateAsync();
        File.WriteAllBytes(dir.File("OTA_All.bin"), AmebaDImages.OtaAll(2, 16 * 1024));
        await using var dashboard = await DashboardProcess.StartAsync(network, dir.Path, "--port", "8080", "--interface", "lo", "--db", dir.File("history.db"),
            "--farm-family", "ameba1:1,amebad:1", "--flash-timing", "instant", "--sketch-delays", "short");
        const string Client = """
            import json, sys, time, urllib.request as u
            base, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
            for _ in range(300):
                boards = [b for b in json.load(u.urlopen(base + "api/boards"))["boards"] if b["online"] and b["virtual"]]
                if len(boards) == 2: break
                time.sleep(0.1)
            print("boards", sorted((b["name"], b["family"], b["port"]) for b in boards))
            auth = {"Authorization": "Bearer " + token}
            image = json.load(u.urlopen(u.Request(base + "api/images?name=OTA_All.bin", data=open(path, "rb").read(), headers=auth)))
            run = u.Request(base + "api/runs", data=json.dumps({"image": image["id"], "pattern": "MyAmeba-*"}).encode(),
                            headers={**auth, "Content-Type": "application/json"})
            print("run", json.load(u.urlopen(run))["ok"])
            for _ in range(600):
                uploads = json.load(u.urlopen(base + "api/history"))["uploads"]
                if uploads and all(x["endedAt"] for x in uploads): break
                time.sleep(0.1)
            for x in uploads: print("upload", x["board"], x["port"], x["family"], x["outcome"]); print("error", x["error"])
            """;
        string output = await network.RunAsync("python3", "-c", Client, dashboard.Url, dashboard.Token, dir.File("OTA_All.bin"));

        Assert.Contains("boards [('MyAmeba-001', 'ameba1', 5000), ('MyAmeba-002', 'amebad', 5000)]", output);
        Assert.Contains("run True", output);
        Assert.True(output.Split('\n').Where(l => l.StartsWith("upload ")).SequenceEqual(["upload MyAmeba-002 8082 amebad rebooted"]), output);
    }

    [Theory]
    [InlineData(new[] { "--farm", "3", "--farm-family", "ameba1:1,amebad:1" }, "--farm 3 but --farm-family counts 2 boards")]
    [InlineData(new[] { "--farm-family", "amebad" }, "--farm-family needs --farm N")]
    [InlineData(new[] { "--farm-family", "ameba2:1" }, "--farm-family 'ameba2' is not a family this version knows")]
    public async Task Farm_family_mistakes_are_one_line_and_exit_1(string[] args, string message)
    {
        using var dir = new TempDir();
        var e = CliAssert.OneLineError(await Support.Cli.RunAsync(dir.Path, ["dashboard", "--port", "0", .. args]), 1);
        Assert.Contains(message, e);
    }
}
