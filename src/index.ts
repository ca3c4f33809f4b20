import('./main.js').then(({ run }) => run());
