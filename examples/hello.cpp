// The README's C++ example: produce one message, read it back, through
// include/kfk.hpp. Usage: hello_cpp <bootstrap> <topic>
#include <iostream>

#include "kfk.hpp"

int main(int argc, char **argv) {
    if (argc < 3) {
        std::cerr << "usage: hello_cpp <bootstrap> <topic>\n";
        return 2;
    }
    try {
        kfk::producer p(kfk::conf().set("bootstrap.servers", argv[1]),
                        [](const kfk_delivery &d) {
                            if (d.err) std::cerr << "not written: " << d.errstr << "\n";
                        });
        kfk::record r;
        r.topic = argv[2];
        r.key = "greeting";
        r.value = "hello from C++";
        p.send(r);
        p.flush(10000);

        kfk::consumer c(kfk::conf()
                            .set("bootstrap.servers", argv[1])
                            .set("group.id", "hello-cpp")
                            .set("auto.offset.reset", "earliest"));
        c.subscribe({argv[2]});
        for (int i = 0; i < 20; i++) {
            kfk::message m = c.poll(500); // released when it goes out of scope
            if (m && !m.err()) {
                std::cout << m.key() << " = " << m.value() << "\n";
                break;
            }
        }
        c.close();
    } catch (const kfk::error &e) {
        std::cerr << "kfk: " << e.what() << " (" << e.name() << ")\n";
        return 1;
    }
    return 0;
}
